"""``idstream serve review``: the review (moderation) web application."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from idstream.errors import ConfigurationError

__all__ = ["build_images", "register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="run a web service")
    sub = parser.add_subparsers(dest="service", metavar="SERVICE")
    sub.required = True
    review = sub.add_parser("review", help="the review web application (queue, document view, stats)")
    review.add_argument(
        "--db", default=None, help="results database URL (default: $IDSTREAM_DB_URL or SQLite)"
    )
    review.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    review.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    review.add_argument(
        "--store",
        default=os.environ.get("IDSTREAM_STORE_URL", ""),
        help="object store of s3:// image references: file:///root or http://ACCESS:SECRET@host:port/BUCKET",
    )
    review.add_argument(
        "--image-root", type=Path, default=None, help="confine file-path images to this directory"
    )
    review.add_argument(
        "--secret-file",
        type=Path,
        default=None,
        help="file holding the session signing key ($IDSTREAM_REVIEW_SECRET)",
    )
    review.add_argument("--session-ttl", type=int, default=1800, help="idle session lifetime, seconds")
    review.add_argument("--secure-cookies", action="store_true", help="send cookies over HTTPS only")
    review.add_argument(
        "--create-admin",
        metavar="USER",
        default=None,
        help="create (or reset) an admin user first; password from $IDSTREAM_ADMIN_PASSWORD",
    )
    review.set_defaults(func=run)


def build_images(store_url: str, image_root: Path | None) -> Any:
    """The image source of the app: an object store for ``s3://`` references, files otherwise."""
    from idstream.review.deps import LocalFiles, RoutedImages

    object_store = None
    if store_url:
        from idstream.store import open_store

        try:
            object_store = open_store(store_url)
        except ValueError as exc:
            raise ConfigurationError(f"--store: {exc}") from exc
    return RoutedImages(object_store, LocalFiles(image_root))


def _secret(path: Path | None) -> str | None:
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(f"--secret-file: cannot read {path}") from exc
    return os.environ.get("IDSTREAM_REVIEW_SECRET") or None


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from idstream.review.app import create_app
    from idstream.review.auth import create_user
    from idstream.sink.store import DEFAULT_DB_URL, ResultStore

    store = ResultStore(args.db or os.environ.get("IDSTREAM_DB_URL") or DEFAULT_DB_URL)
    if args.create_admin:
        password = os.environ.get("IDSTREAM_ADMIN_PASSWORD", "")
        try:
            with store.session() as session:
                create_user(session, args.create_admin, password, "admin")
        except ValueError as exc:
            raise ConfigurationError(f"--create-admin: {exc} (set IDSTREAM_ADMIN_PASSWORD)") from exc
    secret = _secret(args.secret_file)
    if secret is None:
        print(
            "idstream serve review: no session key given; sessions end when the server stops", file=sys.stderr
        )
    app = create_app(
        store,
        build_images(args.store, args.image_root),
        secret=secret,
        session_ttl=args.session_ttl,
        secure_cookies=args.secure_cookies,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)
    return 0
