"""The ``document_number_format`` check: the document number's shape per issuing country."""

from __future__ import annotations

import re
from collections.abc import Mapping

from idstream.document import Check, FieldValue

__all__ = ["DOCUMENT_NUMBER_FORMATS", "GENERIC_FORMAT", "check_document_number_format", "number_format"]

# German serial numbers use digits and these letters only (no vowels, no B, D, Q, S).
_DEU = "[CFGHJKLMNPRTVWXYZ0-9]"

#: (issuing country code, document kind) -> pattern of the whole number.
#: The kind is ``"P"`` (passports), ``"I"`` (identity cards: codes I, ID, A, C) or ``"*"`` (any).
DOCUMENT_NUMBER_FORMATS: dict[tuple[str, str], str] = {
    ("D", "P"): f"[CFGHJKLMNPRTVWXYZ]{_DEU}{{8}}",
    ("D", "I"): f"[CFGHJKLMNPRTVWXYZ]{_DEU}{{8}}",
    ("FRA", "P"): r"\d{2}[A-Z]{2}\d{5}",
    ("FRA", "I"): r"\d{12}|[A-Z0-9]{9}",
    ("GBR", "P"): r"\d{9}",
    ("USA", "P"): r"\d{9}|[A-Z]\d{8}",
    ("CAN", "P"): r"[A-Z]{2}\d{6}",
    ("ITA", "P"): r"[A-Z]{2}\d{7}",
    ("NLD", "*"): r"[A-NP-Z]{2}[A-NP-Z0-9]{6}\d",
    ("POL", "P"): r"[A-Z]{2}\d{7}",
    ("POL", "I"): r"[A-Z]{3}\d{6}",
    ("CHN", "P"): r"[EG]\d{8}|E[A-Z]\d{7}",
    ("JPN", "P"): r"[A-Z]{2}\d{7}",
    ("IND", "P"): r"[A-Z]\d{7}",
}

#: Any ICAO document number: letters and digits (TD1 allows more than 9).
GENERIC_FORMAT = r"[A-Z0-9]{1,22}"


def _kind(document_type: str) -> str:
    code = document_type.upper()[:1]
    if code == "P":
        return "P"
    if code in ("I", "A", "C"):
        return "I"
    return code or "?"


def number_format(country: str, document_type: str) -> str | None:
    """The known pattern for numbers of ``country``'s documents of ``document_type``, or ``None``."""
    kind = _kind(document_type)
    return DOCUMENT_NUMBER_FORMATS.get((country, kind)) or DOCUMENT_NUMBER_FORMATS.get((country, "*"))


def check_document_number_format(fields: Mapping[str, FieldValue]) -> Check:
    """``document_number_format``: the number matches its issuing country's known format.

    Countries without a known rule are checked against the generic ICAO pattern
    (letters and digits); the detail says which rule applied.

    Args:
        fields: canonical fields (``document_number``, ``issuing_country``, ``document_type``).
    """
    name = "document_number_format"
    number = fields.get("document_number")
    if number is None or not number.value:
        return Check(name, "skipped", "no document_number")
    country_fv = fields.get("issuing_country")
    country = country_fv.value.upper() if country_fv is not None else ""
    type_fv = fields.get("document_type")
    doc_type = type_fv.value if type_fv is not None else ""
    value = number.value.upper().replace(" ", "")
    pattern = number_format(country, doc_type) if country else None
    rule = "issuing country rule" if pattern else "generic ICAO rule"
    if re.fullmatch(pattern or GENERIC_FORMAT, value):
        return Check(name, "pass", f"document_number matches the {rule}")
    return Check(name, "fail", f"document_number does not match the {rule}", ["document_number"])
