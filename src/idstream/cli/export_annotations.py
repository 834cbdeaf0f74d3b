"""``idstream export-annotations --since DATE --out DIR``: reviewed documents as training data."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from idstream.errors import ConfigurationError

__all__ = ["register", "run"]


def _since(text: str) -> datetime:
    try:
        if "T" in text or " " in text:
            value = datetime.fromisoformat(text)
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return datetime.combine(date.fromisoformat(text), time.min, tzinfo=UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("expected YYYY-MM-DD or an ISO 8601 time") from exc


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export-annotations", help="write reviewers' corrections as training annotations"
    )
    parser.add_argument("--since", type=_since, default=None, help="only annotations updated since (UTC)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--db", default=None, help="results database URL (default: $IDSTREAM_DB_URL or SQLite)"
    )
    parser.add_argument(
        "--store",
        default=os.environ.get("IDSTREAM_STORE_URL", ""),
        help="object store of s3:// images (file:///root or http://ACCESS:SECRET@host:port/BUCKET)",
    )
    parser.add_argument("--no-images", action="store_true", help="do not copy the images")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from idstream.cli.serve import build_images
    from idstream.review.deps import _pil_size
    from idstream.sink.annotations_export import export_annotations
    from idstream.sink.store import DEFAULT_DB_URL, ResultStore

    store = ResultStore(args.db or os.environ.get("IDSTREAM_DB_URL") or DEFAULT_DB_URL)
    images = None if args.no_images else build_images(args.store, None)
    try:
        with store.session() as session:
            ids, missing = export_annotations(
                session,
                args.out,
                since=args.since,
                fetch_image=images.get if images is not None else None,
                image_size=_pil_size,
            )
    except OSError as exc:
        raise ConfigurationError(f"cannot write to {args.out}: {exc.strerror}") from exc
    print(json.dumps({"exported": len(ids), "missing_images": len(missing), "out": str(args.out)}))
    return 0
