"""``idstream purge [--older-than DAYS]``: delete images past the retention period (audited).

Deletes originals (``ingest/``) and normalized images (``normalized/``) last
modified more than ``DAYS`` days ago (default ``IDSTREAM_RETENTION_DAYS``), prints
one JSON line with the count and records the purge in the audit log. Run it daily
(the Kubernetes manifests can run it as a CronJob).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    from idstream.cli.erase import _common_arguments

    parser = subparsers.add_parser(
        "purge",
        help="delete images older than the retention period (audited)",
        description="Delete original and normalized images older than --older-than days.",
    )
    parser.add_argument(
        "--older-than", type=float, default=None, metavar="DAYS", help="default: IDSTREAM_RETENTION_DAYS"
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    _common_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from idstream.cli.erase import open_image_store
    from idstream.errors import ConfigurationError
    from idstream.security.audit import AuditLog, current_actor
    from idstream.security.retention import purge_expired
    from idstream.settings import load_settings

    settings = load_settings()
    days = settings.retention_days if args.older_than is None else args.older_than
    if days <= 0:
        raise ConfigurationError("retention is off (0 days): give --older-than DAYS > 0")
    store = open_image_store(args.store, settings)
    deleted = purge_expired(store, timedelta(days=days), dry_run=args.dry_run)
    if not args.dry_run:
        AuditLog(args.audit_log or settings.audit_log).record(
            "purge", args.actor or current_actor(), older_than_days=days, objects=len(deleted)
        )
    print(json.dumps({"older_than_days": days, "dry_run": args.dry_run, "objects": deleted}), flush=True)
    return 0
