"""``idstream db upgrade``: bring the results database to the latest schema (Alembic)."""

from __future__ import annotations

import argparse
import os
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="results database maintenance")
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    sub.required = True
    up = sub.add_parser("upgrade", help="apply the migrations up to the latest revision")
    up.add_argument("--db", default=None, help="database URL (default: $IDSTREAM_DB_URL or SQLite)")
    up.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from idstream.sink.store import DEFAULT_DB_URL, ResultStore

    store = ResultStore(args.db or os.environ.get("IDSTREAM_DB_URL") or DEFAULT_DB_URL, migrate=True)
    store.close()
    print("results database is at the latest revision")
    return 0
