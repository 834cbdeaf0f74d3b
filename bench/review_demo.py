"""Synthetic documents for the review application's tests, screenshots and demos.

Every name and number here is invented. :func:`make_card` draws an ID-1 card
with PIL and returns the image with a :class:`DocumentResult` whose boxes match
the drawing; :func:`populate` fills a store with such documents over past days.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from idstream.document import Check, DocumentResult, FieldValue, Quad
from idstream.sink.models import utcnow
from idstream.sink.routing import ReviewPolicy, route_review
from idstream.sink.store import ResultStore

__all__ = ["CARD_SIZE", "LAYOUT", "make_card", "populate"]

CARD_SIZE = (856, 540)
_FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
_BOLD = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"
SURNAMES = ("MARTIN", "OKAFOR", "LINDQVIST", "NAKAMURA", "ROSSI", "DUBOIS", "KOWALSKA", "SILVA")
GIVEN = ("ANNA", "JONAS", "MEI", "PIERRE", "AMARA", "LUCA", "SOFIA", "TOMAS")
#: Field name -> (label, x, y) of the value's top-left corner on the card.
LAYOUT: dict[str, tuple[str, int, int]] = {
    "surname": ("Surname", 300, 120),
    "given_names": ("Given names", 300, 185),
    "date_of_birth": ("Date of birth", 300, 250),
    "sex": ("Sex", 600, 250),
    "document_number": ("Document no.", 300, 315),
    "date_of_expiry": ("Date of expiry", 300, 380),
    "nationality": ("Nationality", 600, 380),
}


def _font(path: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return ImageFont.load_default(size)


def make_card(doc_id: str, rng: random.Random, drop: tuple[str, ...] = ()) -> tuple[bytes, DocumentResult]:
    """A synthetic card image (PNG bytes) and the extraction result of it.

    Args:
        doc_id: the document id.
        rng: source of the invented values and confidences.
        drop: fields drawn on the card but left out of the result (a missed field).
    """
    values = {
        "surname": rng.choice(SURNAMES),
        "given_names": rng.choice(GIVEN),
        "date_of_birth": f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "sex": rng.choice("MF"),
        "document_number": f"{rng.choice('ABCDXYZ')}{rng.randint(1000000, 9999999)}",
        "date_of_expiry": f"{rng.choice((2025, *range(2027, 2035)))}-{rng.randint(1, 12):02d}-"
        f"{rng.randint(1, 28):02d}",
        "nationality": rng.choice(("UTO", "FRA", "DEU", "ITA", "SWE")),
    }
    img = Image.new("RGB", CARD_SIZE, (226, 236, 244))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((6, 6, CARD_SIZE[0] - 6, CARD_SIZE[1] - 6), 28, outline=(90, 120, 160), width=4)
    draw.rectangle((6, 30, CARD_SIZE[0] - 6, 80), fill=(43, 108, 176))
    draw.text((40, 38), "UTOPIA · IDENTITY CARD (SPECIMEN)", font=_font(_BOLD, 30), fill=(255, 255, 255))
    draw.rectangle((40, 120, 250, 400), fill=(180, 195, 210), outline=(120, 140, 160), width=2)
    draw.text((95, 245), "PHOTO", font=_font(_BOLD, 28), fill=(120, 140, 160))
    label_font, value_font = _font(_FONT, 16), _font(_BOLD, 30)
    fields: dict[str, FieldValue] = {}
    for name, (label, x, y) in LAYOUT.items():
        draw.text((x, y - 20), label, font=label_font, fill=(70, 90, 110))
        draw.text((x, y), values[name], font=value_font, fill=(20, 20, 30))
        left, top, right, bottom = draw.textbbox((x, y), values[name], font=value_font)
        quad: Quad = (
            (left - 3, top - 3),
            (right + 3, top - 3),
            (right + 3, bottom + 3),
            (left - 3, bottom + 3),
        )
        if name in drop:
            continue
        conf = rng.uniform(0.55, 0.95) if rng.random() < 0.07 else rng.uniform(0.93, 0.999)
        fields[name] = FieldValue(values[name], values[name], conf, quad, "visual")
    # A TD1-shaped zone (3 x 30); its check digits are not computed: the checks below are invented.
    dob, exp = values["date_of_birth"].replace("-", "")[2:], values["date_of_expiry"].replace("-", "")[2:]
    mrz_lines = [
        f"IDUTO{values['document_number']}<0".ljust(30, "<")[:30],
        f"{dob}0{values['sex']}{exp}0{values['nationality']}".ljust(30, "<")[:30],
        f"{values['surname']}<<{values['given_names']}".ljust(30, "<")[:30],
    ]
    for k, line in enumerate(mrz_lines):
        draw.text((40, 428 + 30 * k), line, font=_font(_FONT, 22), fill=(20, 20, 30))
    expired = values["date_of_expiry"] < utcnow().date().isoformat()
    checks = [
        Check("mrz_check_digits", "pass" if rng.random() > 0.05 else "fail", "", ["document_number"]),
        Check("printed_vs_mrz", "pass", "", ["document_number"]),
        Check("expiry", "fail" if expired else "pass", "expired" if expired else "", ["date_of_expiry"]),
    ]
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    result = DocumentResult(
        document_id=doc_id,
        document_type="id_card",
        fields=fields,
        mrz={"format": "TD1", "lines": mrz_lines},
        checks=checks,
        quality={"blur": round(rng.uniform(0, 0.3), 3), "quality_flags": []},
        model_version=rng.choice(("ie-2026.10", "ie-2026.11")),
    )
    return buf.getvalue(), result


def populate(
    store: ResultStore, image_dir: Path, count: int = 30, days: int = 10, seed: int = 7
) -> list[str]:
    """Save ``count`` synthetic documents received over the last ``days`` days.

    Images are written to ``image_dir`` and referenced by path. Returns the ids.
    """
    rng = random.Random(seed)
    policy = ReviewPolicy.default()
    image_dir.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    ids = []
    for i in range(count):
        doc_id = f"demo-{i:04d}"
        drop = ("date_of_birth",) if i % 7 == 3 else ()
        png, result = make_card(doc_id, rng, drop)
        result.review = route_review(result, policy)
        path = image_dir / f"{doc_id}.png"
        path.write_bytes(png)
        received = now - timedelta(days=rng.randint(0, days - 1), hours=rng.randint(0, 12))
        store.save(result, str(path), received_at=received)
        ids.append(doc_id)
    return ids


def main() -> int:
    """Fill a results database with synthetic documents, to try ``idstream serve review``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--db", default="sqlite:///data/review-demo/results.db")
    parser.add_argument("--images", type=Path, default=Path("data/review-demo/images"))
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--days", type=int, default=12)
    args = parser.parse_args()
    store = ResultStore(args.db)
    ids = populate(store, args.images, args.n, args.days)
    print(f"{len(ids)} documents in {args.db}, images in {args.images}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
