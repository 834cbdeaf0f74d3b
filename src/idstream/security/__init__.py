"""Protection of personal data at rest and of access: encryption, retention, erasure, audit, tokens."""

__all__: list[str] = []
