"""``idstream mrz IMAGE...``: find and read the machine-readable zone of each image.

For every input, in input order, prints one JSON line: the input file, the MRZ
object (raw and repaired lines, layout, check digits before and after repair,
canonical fields; ``null`` when no MRZ was found) and the document checks that the
MRZ alone supports (check digits, expiry, date plausibility, number format). An
input that cannot be processed gives ``{"file", "error"}`` and the exit code 2; the
others still run.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mrz",
        help="read the machine-readable zone (MRZ) of document images",
        description="Locate and read the MRZ of each image, verify and repair its check digits; "
        "print one JSON result per input, in input order.",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument(
        "--no-normalize",
        action="store_true",
        help="read the image as is (default: rectify and orient it with the preprocess stage first)",
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="reference date for expiry checks (YYYY-MM-DD)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from idstream.checks import (
        check_dates_plausible,
        check_document_number_format,
        check_expiry,
        check_mrz_digits,
    )
    from idstream.cli.inputs import run_per_file
    from idstream.imageio import decode_image
    from idstream.mrz.read import read_mrz

    today: date = args.today or date.today()

    def handle(_name: str, data: bytes) -> dict[str, Any]:
        image = decode_image(data)
        reading = None
        if not args.no_normalize:
            from idstream.preprocess import normalize_document

            reading = read_mrz(normalize_document(image).image)
        if reading is None or not reading.parse.valid:
            # the rectification can miss or cut the zone: read the image as given too
            as_is = read_mrz(image)
            if as_is is not None and (reading is None or as_is.parse.valid):
                reading = as_is
        if reading is None:
            checks = [check_mrz_digits(None)]
            return {"mrz": None, "checks": [c.to_dict() for c in checks]}
        fields = reading.fields(today=today)
        checks = [
            check_mrz_digits(reading.parse),
            check_expiry(fields, today),
            check_dates_plausible(fields, today),
            check_document_number_format(fields),
        ]
        return {"mrz": reading.to_dict(today=today), "checks": [c.to_dict() for c in checks]}

    return run_per_file("mrz", args.images, handle)
