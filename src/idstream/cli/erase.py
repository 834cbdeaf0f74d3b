"""``idstream erase DOCUMENT_ID...``: delete everything kept about documents, and audit it.

Deletes the original and normalized images from the object store, the document's
rows in the results store (fields, checks, review actions, annotation) and its
exported annotations in the ``--export-dir`` directories, then appends a record
(who, when, the id and counts) to the audit log (``IDSTREAM_AUDIT_LOG``). Prints
one JSON line per document.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["open_image_store", "register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "erase",
        help="delete a document's images, results, review records and exports (audited)",
        description="Erase documents: images (original and normalized), results-store rows, review "
        "records, exported annotations. Each erasure is recorded in the audit log.",
    )
    parser.add_argument("document_ids", nargs="+", metavar="DOCUMENT_ID")
    _common_arguments(parser)
    parser.add_argument("--db", default=None, help="results store URL (default: IDSTREAM_DB_URL)")
    parser.add_argument("--no-db", action="store_true", help="do not touch the results store")
    parser.add_argument(
        "--export-dir", type=Path, action="append", default=[], help="a directory of exported annotations"
    )
    parser.set_defaults(func=run)


def _common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=os.environ.get("IDSTREAM_STORE_URL", ""),
        help="object store: file:///root or http://ACCESS:SECRET@host:port/BUCKET (default: IDSTREAM_S3_*)",
    )
    parser.add_argument("--audit-log", default=None, help="audit log file (default: IDSTREAM_AUDIT_LOG)")
    parser.add_argument("--actor", default=None, help="who asks (default: the operating-system user)")


def open_image_store(url: str, settings: Any) -> Any:
    """The object store of the images: ``url`` if given, else the settings' S3 store."""
    from idstream.store import open_store

    try:
        return open_store(url or settings)
    except ValueError as exc:
        from idstream.errors import ConfigurationError

        raise ConfigurationError(f"--store: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    from idstream.errors import IdstreamError
    from idstream.security.audit import AuditLog, current_actor
    from idstream.security.erase import erase_document
    from idstream.settings import load_settings

    settings = load_settings()
    store = open_image_store(args.store, settings)
    results = None
    if not args.no_db:
        from idstream.sink.store import ResultStore

        results = ResultStore(args.db or settings.db_url)
    audit = AuditLog(args.audit_log or settings.audit_log)
    actor = args.actor or current_actor()
    failed = False
    for document_id in args.document_ids:
        try:
            report = erase_document(
                document_id,
                store=store,
                audit=audit,
                actor=actor,
                results=results,
                export_dirs=args.export_dir,
            )
            out: dict[str, Any] = report.to_dict()
        except IdstreamError as exc:
            failed = True
            out = {"document_id": document_id, "error": exc.reason}
            print(f"idstream erase: {document_id!r}: {exc.reason}", file=sys.stderr)
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 2 if failed else 0
