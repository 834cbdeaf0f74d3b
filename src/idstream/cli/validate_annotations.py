"""``idstream validate-annotations DIR...``: check annotation files against the format."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from idstream.errors import InvalidInput

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate-annotations",
        help="check annotation JSON files (schema, labels, quads, dates, images)",
        description="Report every problem as FILE:LINE: PATH: MESSAGE (one per line on stdout). "
        "Exit code 0 when every file is valid, 1 when problems were found, 2 on bad arguments.",
    )
    parser.add_argument("paths", nargs="+", metavar="DIR", help="annotation folders or files")
    parser.add_argument("--json", action="store_true", help="print one JSON object per problem instead")
    parser.add_argument("--no-images", action="store_true", help="do not open the images")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from idstream.annotations.validate import validate_tree

    for path in args.paths:
        if not Path(path).exists():
            raise InvalidInput(f"{path}: no such file or folder")
    files = bad = problems = 0
    for _file, found in validate_tree(args.paths, check_image=not args.no_images):
        files += 1
        bad += bool(found)
        problems += len(found)
        for problem in found:
            print(json.dumps(problem.to_dict(), ensure_ascii=False) if args.json else str(problem))
    print(f"{files} file(s) checked, {problems} problem(s) in {bad} file(s)", file=sys.stderr)
    return 1 if problems else 0
