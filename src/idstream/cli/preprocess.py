"""``idstream preprocess IMAGE... --out-dir DIR``: normalize document images and report what was done.

For every input, in input order, prints one JSON line: the input file, the
normalized image written (``DIR/<stem>.png``; ``<stem>-<n>.png`` when two inputs
share a stem) and the :class:`~idstream.document.PreprocessReport` (card
quadrilateral in input pixels, rotation, skew, quality scores and flags, and the
transform from normalized to input pixels). An input that cannot be processed
gives ``{"file", "error"}`` and the exit code 2; the others still run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "preprocess",
        help="find, rectify, orient and assess documents in images",
        description="Normalize each document image (upright, rectified, illumination-corrected); "
        "write it to --out-dir and print one JSON report per input, in input order.",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument("--out-dir", type=Path, default=None, help="where to write the normalized images")
    parser.add_argument(
        "--format",
        dest="document_format",
        choices=("auto", "ID-1", "ID-3"),
        default="auto",
        help="document format to rectify to (default: guessed from the card's shape)",
    )
    parser.add_argument(
        "--image-format", choices=("png", "jpg"), default="png", help="file format of the written images"
    )
    parser.add_argument(
        "--no-illumination", action="store_true", help="do not correct uneven lighting in the output"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from idstream.cli.inputs import run_per_file
    from idstream.errors import ConfigurationError
    from idstream.imageio import decode_image, encode_jpeg, encode_png
    from idstream.preprocess import normalize_document

    out_dir: Path | None = args.out_dir
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"cannot create --out-dir {out_dir} ({exc.strerror})") from exc
    document_format = None if args.document_format == "auto" else args.document_format
    used: set[str] = set()

    def handle(name: str, data: bytes) -> dict[str, Any]:
        doc = normalize_document(
            decode_image(data),
            document_format=document_format,
            correct_illumination=not args.no_illumination,
        )
        out: dict[str, Any] = {}
        if out_dir is not None:
            target = _unique_path(out_dir, Path(name).stem or "image", args.image_format, used)
            payload = encode_png(doc.image) if args.image_format == "png" else encode_jpeg(doc.image, 92)
            target.write_bytes(payload)
            out["output"] = str(target)
        out.update(doc.report.to_dict())
        return out

    return run_per_file("preprocess", args.images, handle)


def _unique_path(out_dir: Path, stem: str, ext: str, used: set[str]) -> Path:
    candidate = f"{stem}.{ext}"
    n = 1
    while candidate in used:
        n += 1
        candidate = f"{stem}-{n}.{ext}"
    used.add(candidate)
    return out_dir / candidate
