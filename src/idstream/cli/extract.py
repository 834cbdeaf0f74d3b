"""``idstream extract IMAGE...``: the whole pipeline in this process (embedded mode)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract fields from images in this process (no broker)",
        description="Run preprocess → OCR → graph IE → checks → review on each image; "
        "print one JSON result per input, in input order.",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument("--model", default=None, help="graph-IE model file (default: the shipped model)")
    parser.add_argument("--no-mrz", action="store_true", help="do not read the MRZ")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from idstream.cli.inputs import run_per_file
    from idstream.pipeline import Pipeline

    pipeline = Pipeline(model_path=args.model, read_mrz=not args.no_mrz)
    return run_per_file("extract", args.images, lambda _name, data: pipeline.process(data).to_dict())
