"""Alembic migrations of the results store (run by :func:`idstream.sink.store.upgrade`)."""

__all__: list[str] = []
