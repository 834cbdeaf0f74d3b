"""``idstream ocr IMAGE...``: read every line of text on document images.

Each image is decoded, normalized by the preprocess stage (located, rectified,
made upright) and read by the OCR engine. One JSON line per input, in input
order, in the format :mod:`idstream.ocr.io` reads back (``idstream ie`` takes
these files): segments with ``box`` in original-image pixels and ``doc_box`` in
normalized-image pixels.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``ocr`` command."""
    parser = subparsers.add_parser(
        "ocr",
        help="read the text lines on document images (JSON, one line per input)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument(
        "--engine", choices=("fast", "stock"), default="fast", help="OCR engine (default: fast)"
    )
    parser.add_argument(
        "--format",
        dest="document_format",
        choices=("ID-1", "ID-3"),
        default=None,
        help="document format (default: guessed by the preprocess stage)",
    )
    parser.add_argument("--raw", action="store_true", help="read the image as is, without normalizing it")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch and ONNX Runtime threads (default: $OMP_NUM_THREADS, else every CPU)",
    )
    parser.set_defaults(func=run)


def _normalizer() -> Any:
    try:
        from idstream.preprocess import normalize_document
    except ImportError:  # pragma: no cover - the preprocess stage ships with the package
        return None
    return normalize_document


def run(args: argparse.Namespace) -> int:
    """Run the ``ocr`` command."""
    from idstream.cli.inputs import run_per_file
    from idstream.document import PreprocessReport
    from idstream.errors import ConfigurationError
    from idstream.imageio import decode_image
    from idstream.ocr.engine import ocr_engine, segments_to_original
    from idstream.ocr.io import OcrDocument

    if args.threads is not None and args.threads < 1:
        raise ConfigurationError("--threads must be at least 1")
    engine = ocr_engine(args.engine, threads=args.threads)
    normalize = None if args.raw else _normalizer()

    def handle(name: str, data: bytes) -> dict[str, Any]:
        t0 = time.perf_counter()
        image = decode_image(data)
        t1 = time.perf_counter()
        h, w = image.shape[:2]
        if normalize is not None:
            doc = normalize(image, document_format=args.document_format)
            doc_image, report = doc.image, doc.report
        else:
            doc_image = image
            report = PreprocessReport(
                input_size=(w, h), output_size=(w, h), document_format=args.document_format or "unknown"
            )
        t2 = time.perf_counter()
        result = engine.run(doc_image, document_format=report.document_format)
        timings = {"decode": (t1 - t0) * 1000.0, "preprocess": (t2 - t1) * 1000.0, **result.timings_ms}
        dh, dw = doc_image.shape[:2]
        out = OcrDocument(
            file=name,
            image_size=(w, h),
            doc_size=(dw, dh),
            segments=segments_to_original(result.segments, report),
            preprocess=report,
            engine=engine.name,
            timings_ms=timings,
        ).to_dict()
        del out["file"]
        return out

    return run_per_file("ocr", args.images, handle)
