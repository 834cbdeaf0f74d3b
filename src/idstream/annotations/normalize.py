"""Turn printed text into the normalized values of ``fields`` (the documented conventions).

* dates: ISO 8601 ``YYYY-MM-DD`` from ``12.08.1974``, ``12/08/1974`` (or ``08/12/1974``
  with ``date_order="MDY"``), ``1974-08-12``, ``12 AUG 1974``, ``12 AUG/AOÛT 1974``,
  ``12 AUGUST/AOUT 74``...; two-digit years are 20YY for expiry dates, otherwise the
  latest year not in the future;
* sex: ``M``, ``F`` or ``X`` (``H``/``MALE`` -> ``M``, ``W``/``FEMALE`` -> ``F``);
* document and personal numbers: spaces removed;
* licence classes: the categories joined with one space;
* address: the lines joined with ``", "``; other multi-line values with one space;
* anything else: whitespace collapsed, text as printed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

__all__ = ["join_lines", "normalize_field", "parse_date"]

_MONTH_NAMES: dict[str, int] = {}
for _names in (
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC",
    "JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER",
    "JANV FEVR MARS AVR MAI JUIN JUIL AOUT SEPT OCT NOV DEC",
    "JANVIER FEVRIER MARS AVRIL MAI JUIN JUILLET AOUT SEPTEMBRE OCTOBRE NOVEMBRE DECEMBRE",
    "JAN FEB MAR APR MAI JUN JUL AUG SEP OKT NOV DEZ",
    "JANUAR FEBRUAR MARZ APRIL MAI JUNI JULI AUGUST SEPTEMBER OKTOBER NOVEMBER DEZEMBER",
    "ENE FEB MAR ABR MAY JUN JUL AGO SEP OCT NOV DIC",
    "GEN FEB MAR APR MAG GIU LUG AGO SET OTT NOV DIC",
):
    for _i, _name in enumerate(_names.split()):
        _MONTH_NAMES.setdefault(_name, _i + 1)
_MONTH_NAMES["SEPT"] = 9

_ID_CODES = ("document_number", "personal_number")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _year(two: int, role: str, today: dt.date) -> int:
    if role == "future":
        return 2000 + two
    return 2000 + two if 2000 + two <= today.year else 1900 + two


def parse_date(
    text: str, *, date_order: str = "DMY", role: str = "past", today: dt.date | None = None
) -> str | None:
    """A printed date as ISO 8601, or ``None`` when it cannot be read.

    Args:
        text: the printed date.
        date_order: ``DMY`` or ``MDY`` for all-numeric dates (``YMD`` is recognized by its 4-digit year).
        role: ``past`` (birth, issue) or ``future`` (expiry) to place two-digit years.
        today: reference date for two-digit years (default: today).
    """
    today = today or dt.date.today()
    plain = _plain(text).strip()
    parts = [p for p in re.split(r"[\s./\-]+", plain) if p]
    day = month = year = None
    try:
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            if len(parts[0]) == 4:
                year, month, day = (int(p) for p in parts)
            elif date_order.upper() == "MDY":
                month, day, year = (int(p) for p in parts)
            else:
                day, month, year = (int(p) for p in parts)
            if len(parts[2]) == 2 and len(parts[0]) != 4:
                year = _year(year, role, today)
        else:  # day, month name(s), year
            digits = [p for p in parts if p.isdigit()]
            names = [p for p in parts if not p.isdigit()]
            if len(digits) == 2 and names and all(n in _MONTH_NAMES for n in names):
                months = {_MONTH_NAMES[n] for n in names}
                if len(months) != 1:
                    return None
                month = months.pop()
                day, year = int(digits[0]), int(digits[1])
                if len(digits[1]) == 2:
                    year = _year(year, role, today)
        if day is None or month is None or year is None:
            return None
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def join_lines(name: str, texts: list[str]) -> str:
    """Join the texts of the lines of one field, in reading order."""
    cleaned = [" ".join(t.split()) for t in texts if t.strip()]
    return (", " if name == "address" else " ").join(cleaned)


def normalize_field(
    name: str, text: str, *, date_order: str = "DMY", today: dt.date | None = None
) -> str | None:
    """The normalized value of identity field ``name`` printed as ``text`` (``None``: unreadable)."""
    text = " ".join(text.split())
    if not text:
        return None
    if name.startswith("date_"):
        role = "future" if name == "date_of_expiry" else "past"
        return parse_date(text, date_order=date_order, role=role, today=today)
    if name == "sex":
        head = _plain(text).split("/")[0].strip()
        mapping = {"M": "M", "H": "M", "MALE": "M", "F": "F", "W": "F", "FEMALE": "F", "X": "X"}
        return mapping.get(head) or mapping.get(head[:1])
    if name in _ID_CODES:
        return text.replace(" ", "")
    if name in ("nationality", "issuing_country"):
        return text.upper()
    if name == "licence_class":
        return " ".join(t for t in re.split(r"[\s,/;]+", text) if t)
    return text
