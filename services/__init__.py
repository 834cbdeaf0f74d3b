"""The idstream services: thin stream adapters around the stages in :mod:`idstream`."""
