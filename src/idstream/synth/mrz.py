"""Compose ICAO 9303 machine-readable zones (TD1 3x30, TD3 2x44) for generated documents.

Check digits come from :func:`idstream.mrz.checkdigit.check_digit`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from idstream.mrz.checkdigit import check_digit

__all__ = ["compose_td1", "compose_td3", "mrz_date", "mrz_name", "transliterate"]

# ICAO 9303 part 3, table of recommended transliterations (the multi-letter ones).
_TRANSLIT = {
    "Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Å": "AA", "Æ": "AE", "Ø": "OE", "Œ": "OE",
    "Þ": "TH", "Ð": "D", "Đ": "D", "Ł": "L", "Ĳ": "IJ", "İ": "I", "ẞ": "SS",
}  # fmt: skip


def transliterate(text: str) -> str:
    """Transliterate printed text to the MRZ alphabet (``A-Z0-9<``).

    Letters with diacritics lose them (``É`` -> ``E``), the ICAO multi-letter
    transliterations apply (``Ü`` -> ``UE``, ``ß`` -> ``SS``), spaces, hyphens and
    apostrophes become ``<`` (apostrophes are dropped).
    """
    out: list[str] = []
    for ch in text.upper():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
            continue
        if ch == "'":
            continue
        if ch in " -,":
            out.append("<")
            continue
        base = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in base if not unicodedata.combining(c))
        out.append("".join(c for c in base if c.isascii() and (c.isalnum() or c == "<")))
    return "".join(out)


def mrz_name(surname: str, given_names: str, width: int) -> str:
    """The name field: ``SURNAME<<GIVEN<NAMES`` padded or truncated to ``width``."""
    text = transliterate(surname) + "<<" + transliterate(given_names)
    return text[:width].ljust(width, "<")


def mrz_date(date: dt.date) -> str:
    """``YYMMDD``."""
    return date.strftime("%y%m%d")


def _field(text: str, width: int) -> str:
    return transliterate(text)[:width].ljust(width, "<")


def compose_td3(
    *,
    issuing_country: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    date_of_birth: dt.date,
    sex: str,
    date_of_expiry: dt.date,
    personal_number: str = "",
    document_code: str = "P<",
) -> list[str]:
    """The two 44-character lines of a passport data page."""
    line1 = (document_code + "<")[:2] + _field(issuing_country, 3) + mrz_name(surname, given_names, 39)
    number = _field(document_number, 9)
    personal = _field(personal_number, 14)
    birth, expiry = mrz_date(date_of_birth), mrz_date(date_of_expiry)
    sex_char = sex if sex in ("M", "F") else "<"
    line2 = (
        number + check_digit(number) + _field(nationality, 3) + birth + check_digit(birth) + sex_char
        + expiry + check_digit(expiry) + personal + check_digit(personal)
    )  # fmt: skip
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    line2 += check_digit(composite)
    return [line1, line2]


def compose_td1(
    *,
    issuing_country: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    date_of_birth: dt.date,
    sex: str,
    date_of_expiry: dt.date,
    optional_data: str = "",
    document_code: str = "ID",
) -> list[str]:
    """The three 30-character lines of an ID-1 card."""
    number = _field(document_number, 9)
    line1 = (document_code + "<")[:2] + _field(issuing_country, 3) + number + check_digit(number)
    line1 += _field(optional_data, 15)
    birth, expiry = mrz_date(date_of_birth), mrz_date(date_of_expiry)
    sex_char = sex if sex in ("M", "F") else "<"
    line2 = birth + check_digit(birth) + sex_char + expiry + check_digit(expiry) + _field(nationality, 3)
    line2 += "<" * 11
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += check_digit(composite)
    line3 = mrz_name(surname, given_names, 30)
    return [line1, line2, line3]
