"""``idstream ie``: run a graph-IE model on OCR segments already computed (``idstream ocr`` output)."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["parse_ocr_json", "register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ie",
        help="extract fields from OCR segments (JSON from `idstream ocr`)",
        description='Read OCR JSON files ({"segments": [{"text", "box", "confidence", "doc_box"?}], '
        '"doc_size"?: [w, h]}), print one JSON result per file, in input order.',
    )
    parser.add_argument("files", nargs="+", metavar="OCR.json")
    parser.add_argument(
        "--model", default=None, metavar="MODEL", help="model file (default: shipped identity model)"
    )
    parser.set_defaults(func=run)


def parse_ocr_json(data: bytes) -> tuple[list[Any], tuple[int, int]]:
    """Segments and document size from an OCR JSON document.

    Raises:
        InvalidInput: not JSON, or no ``segments`` list.
    """
    from idstream.document import Segment
    from idstream.errors import InvalidInput

    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput("not a JSON document") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("segments"), list):
        raise InvalidInput("no 'segments' list")
    try:
        segments = [Segment.from_dict(s) for s in obj["segments"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"malformed segment ({type(exc).__name__})") from exc
    size = obj.get("doc_size") or obj.get("output_size") or (obj.get("report") or {}).get("output_size")
    if size:
        return segments, (int(size[0]), int(size[1]))
    use_doc = all(s.doc_quad is not None for s in segments)
    pts = [p for s in segments for p in ((s.doc_quad or s.quad) if use_doc else s.quad)]
    if not pts:
        return segments, (1, 1)
    return segments, (int(max(p[0] for p in pts)) + 1, int(max(p[1] for p in pts)) + 1)


def run(args: argparse.Namespace) -> int:
    from idstream.cli.inputs import run_per_file
    from idstream.graph_ie import load_extractor

    extractor = load_extractor(args.model)

    def handle(_name: str, data: bytes) -> dict[str, Any]:
        segments, size = parse_ocr_json(data)
        return extractor.extract(segments, size).to_dict()

    return run_per_file("ie", args.files, handle)
