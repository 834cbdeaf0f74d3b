"""``idstream users add|list``: accounts of the review application."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from idstream.errors import ConfigurationError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("users", help="manage review application accounts")
    sub = parser.add_subparsers(dest="users_command", metavar="ACTION")
    sub.required = True
    add = sub.add_parser("add", help="create a user (or reset password and role)")
    add.add_argument("username")
    add.add_argument("--role", choices=("reviewer", "admin"), default="reviewer")
    add.add_argument("--db", default=None, help="results database URL (default: $IDSTREAM_DB_URL or SQLite)")
    add.add_argument(
        "--password-env",
        default="IDSTREAM_PASSWORD",
        help="variable holding the password (else it is prompted)",
    )
    add.set_defaults(func=run_add)
    ls = sub.add_parser("list", help="list the users")
    ls.add_argument("--db", default=None)
    ls.set_defaults(func=run_list)


def _store(url: str | None) -> Any:
    from idstream.sink.store import DEFAULT_DB_URL, ResultStore

    return ResultStore(url or os.environ.get("IDSTREAM_DB_URL") or DEFAULT_DB_URL)


def run_add(args: argparse.Namespace) -> int:
    from idstream.review.auth import create_user

    password = os.environ.get(args.password_env) or getpass.getpass(f"password for {args.username}: ")
    store = _store(args.db)
    try:
        with store.session() as session:
            create_user(session, args.username, password, args.role)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    print(f"user {args.username} ({args.role}) saved")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from idstream.sink.models import User

    with _store(args.db).session() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            print(f"{user.username}\t{user.role}\t{'active' if user.active else 'disabled'}")
    return 0
