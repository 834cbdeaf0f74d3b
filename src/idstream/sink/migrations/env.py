"""Alembic environment of the results store.

Run programmatically by :func:`idstream.sink.store.upgrade`, which passes an open
connection in ``config.attributes["connection"]``; with the ``alembic`` command
line, the URL comes from ``sqlalchemy.url`` or the ``IDSTREAM_DB_URL`` variable.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, create_engine

from idstream.sink.models import Base

__all__: list[str] = []

config = context.config
target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Run the migrations online (on a connection)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("IDSTREAM_DB_URL", "")
    if not url:
        raise RuntimeError("set sqlalchemy.url or IDSTREAM_DB_URL")
    engine = create_engine(url)
    with engine.connect() as conn:
        _migrate(conn)
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported; run them on a database")
run()
