"""``idstream import sroie|label-studio``: convert foreign annotations into the idstream format."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from idstream.errors import InvalidInput

__all__ = ["register", "run_label_studio", "run_sroie"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="convert foreign annotations (SROIE, Label Studio) into idstream annotation files",
        description="Write one idstream annotation JSON per document into DST (images copied when found); "
        "print one JSON line per document.",
    )
    sub = parser.add_subparsers(dest="format", metavar="FORMAT")
    sub.required = True
    sroie = sub.add_parser(
        "sroie", help="ICDAR 2019 SROIE layout: SRC/box/*.csv + SRC/key/*.json [+ SRC/img/]"
    )
    sroie.add_argument("src", metavar="SRC")
    sroie.add_argument("dst", metavar="DST")
    sroie.set_defaults(func=run_sroie)
    ls = sub.add_parser("label-studio", help="Label Studio JSON export (rectangles + transcription + labels)")
    ls.add_argument("export", metavar="EXPORT.json")
    ls.add_argument("dst", metavar="DST")
    ls.add_argument(
        "--images", default=None, help="folder with the task images (default: the export's folder)"
    )
    ls.add_argument("--kind", default="id_card", help="document kind when a task has no data.kind")
    ls.add_argument("--schema", default="identity", choices=("identity", "receipt"))
    ls.add_argument("--date-order", default="DMY", choices=("DMY", "MDY"), help="order of all-numeric dates")
    ls.set_defaults(func=run_label_studio)


def run_sroie(args: argparse.Namespace) -> int:
    from idstream.annotations.importers.sroie import import_sroie

    code = 0
    try:
        for result in import_sroie(args.src, args.dst):
            if result.annotation is None:
                print(json.dumps({"file": result.id, "error": result.error}), flush=True)
                code = 2
                continue
            labels: dict[str, int] = {}
            for line in result.annotation.lines:
                labels[line.label] = labels.get(line.label, 0) + 1
            count = len(result.annotation.lines)
            print(json.dumps({"file": str(result.path), "lines": count, "labels": labels}), flush=True)
    except FileNotFoundError as exc:
        raise InvalidInput(str(exc)) from None
    return code


def run_label_studio(args: argparse.Namespace) -> int:
    from idstream.annotations.importers.label_studio import import_label_studio

    if not Path(args.export).is_file():
        raise InvalidInput(f"{args.export}: no such file")
    code = 0
    try:
        results = import_label_studio(
            args.export,
            args.dst,
            images=args.images,
            kind=args.kind,
            schema=args.schema,
            date_order=args.date_order,
        )
        for result in results:
            if result.annotation is None:
                print(json.dumps({"file": f"task {result.task}", "error": result.error}), flush=True)
                code = 2
                continue
            line: dict[str, Any] = {"file": str(result.path), "lines": len(result.annotation.lines)}
            if result.unknown_labels:
                line["unknown_labels"] = result.unknown_labels
            if result.unreadable_fields:
                line["unreadable_fields"] = result.unreadable_fields
                code = 2
            print(json.dumps(line, ensure_ascii=False), flush=True)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return code
