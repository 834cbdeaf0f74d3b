"""What a layout prints for each field, and the normalized value that goes into ``fields``.

Normalization (documented in ``docs/annotations.md``): dates ISO 8601, sex ``M``/``F``/``X``,
countries as ICAO 3-letter codes, document and personal numbers without spaces, names and
places as printed (diacritics kept), address components joined with ``", "``, licence
classes joined with one space, ``document_type`` the document code (``P``, ``ID``, ``DL``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from idstream.synth.layouts import Layout
from idstream.synth.values import Holder, format_date

__all__ = ["DOCUMENT_CODES", "PrintedField", "printed_fields"]

#: ``document_type`` value per kind.
DOCUMENT_CODES: dict[str, str] = {"passport": "P", "id_card": "ID", "driving_licence": "DL"}

_DATE_FIELDS = ("date_of_birth", "date_of_issue", "date_of_expiry")


@dataclass(frozen=True, slots=True)
class PrintedField:
    """A field as printed.

    Attributes:
        parts: the printed pieces; one line each, except ``address`` whose parts
            (components) may be packed several to a line, joined with ``", "``.
        value: the normalized value.
    """

    parts: tuple[str, ...]
    value: str


def _case(text: str, upper: bool, locale: str) -> str:
    if upper or locale == "tr":
        return text
    return text.title()


def printed_fields(layout: Layout, holder: Holder, rng: np.random.Generator) -> dict[str, PrintedField]:
    """Printed text and normalized value of every field ``layout`` shows.

    Args:
        layout: the document's layout.
        holder: the document's values.
        rng: the document's random generator (separators, case).
    """
    lang = holder.country.languages[0]
    out: dict[str, PrintedField] = {}
    for name in layout.field_names():
        if name in _DATE_FIELDS:
            date = getattr(holder, name)
            out[name] = PrintedField((format_date(date, layout.date_style, lang),), date.isoformat())
        elif name in ("surname", "given_names"):
            text = _case(getattr(holder, name), layout.uppercase_values, holder.locale)
            out[name] = PrintedField((text,), text)
        elif name == "document_number":
            number = holder.document_number
            text = f"{number[:4]} {number[4:]}" if layout.group_number else number
            out[name] = PrintedField((text,), number)
        elif name == "address":
            parts = tuple(_case(p, layout.uppercase_values, holder.locale) for p in holder.address)
            out[name] = PrintedField(parts, ", ".join(parts))
        elif name == "licence_class":
            sep = [" ", ", ", "/"][int(rng.integers(3))]
            out[name] = PrintedField((sep.join(holder.licence_class.split()),), holder.licence_class)
        elif name == "document_type":
            code = DOCUMENT_CODES[layout.kind]
            out[name] = PrintedField((code,), code)
        elif name == "issuing_country":
            out[name] = PrintedField((holder.country.code,), holder.country.code)
        elif name in ("personal_number",):
            out[name] = PrintedField((holder.personal_number,), holder.personal_number)
        else:  # sex, nationality, place_of_birth, authority, restrictions
            text = str(getattr(holder, name))
            out[name] = PrintedField((text,), text)
    return out
