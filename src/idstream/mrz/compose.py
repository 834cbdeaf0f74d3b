"""Compose valid MRZ lines from field values (tests, synthetic documents)."""

from __future__ import annotations

from collections.abc import Mapping

from idstream.mrz.checkdigit import MRZ_ALPHABET, check_digit
from idstream.mrz.formats import MrzFormat, format_by_name
from idstream.mrz.validate import resolve_checks

__all__ = ["compose_mrz", "encode_name"]


def encode_name(surname: str, given_names: str, length: int) -> str:
    """Encode names as an MRZ name field of ``length`` characters (truncated if needed)."""
    primary = "<".join(surname.upper().split())
    secondary = "<".join(given_names.upper().split())
    text = f"{primary}<<{secondary}" if secondary else primary
    return text[:length].ljust(length, "<")


def compose_mrz(fmt: str | MrzFormat, values: Mapping[str, str]) -> list[str]:
    """Build MRZ lines with correct check digits.

    Args:
        fmt: the layout (name or record).
        values: raw MRZ field strings by field name (``document_code``, ``issuing_country``,
            ``name`` (or ``surname``/``given_names`` for FR-ID), ``document_number``,
            ``date_of_birth`` as ``YYMMDD``, ...). Missing fields are filled with ``<``;
            values are padded with ``<`` or cut to the field's width.

    Returns:
        The lines, with every check digit computed.

    Raises:
        ValueError: for an unknown layout or a character outside the MRZ alphabet.
    """
    layout = format_by_name(fmt) if isinstance(fmt, str) else fmt
    rows = [["<"] * layout.length for _ in range(layout.lines)]
    for spec in layout.fields:
        text = values.get(spec.name, "")
        if any(ch not in MRZ_ALPHABET for ch in text):
            raise ValueError(f"field {spec.name} has characters outside the MRZ alphabet")
        width = spec.end - spec.start
        if spec.name == "document_number" and layout.name == "TD1" and len(text) > width:
            # Long TD1 number: 9 characters, '<', the rest, its check digit, in optional data 1.
            rest = text[width:]
            rows[0][spec.start : spec.end] = list(text[:width])
            tail = rest + check_digit(text) + "<"
            rows[0][15 : 15 + len(tail)] = list(tail)
            continue
        if (
            spec.name == "optional_data_1"
            and layout.name == "TD1"
            and len(values.get("document_number", "")) > 9
        ):
            continue
        rows[spec.line][spec.start : spec.end] = list(text[:width].ljust(width, "<"))
    long_number = layout.name == "TD1" and len(values.get("document_number", "")) > 9
    if layout.name == "TD1" and not long_number:
        rows[0][14] = "0"  # placeholder so that the number is not taken for a long one
    lines = ["".join(r) for r in rows]
    for chk in resolve_checks(layout, lines):
        if long_number and chk.name == "document_number":
            continue  # the long number's digit is already in place
        data = "".join(lines[r][c] for r, c in chk.data)
        digit = "<" if chk.optional and set(data) <= {"<"} else check_digit(data)
        r, c = chk.digit
        lines[r] = lines[r][:c] + digit + lines[r][c + 1 :]
    return lines
