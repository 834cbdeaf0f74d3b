"""Alembic revisions of the results store."""

__all__: list[str] = []
