"""Map a parsed MRZ to the canonical fields (``FieldValue`` with ``source="mrz"``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from idstream.document import FieldValue
from idstream.mrz.parse import MrzParse
from idstream.mrz.validate import resolve_checks

__all__ = ["decode_date", "decode_name", "mrz_fields", "mrz_values"]

#: Which check digit covers which canonical field.
_FIELD_CHECK = {
    "document_number": "document_number",
    "date_of_birth": "date_of_birth",
    "date_of_expiry": "date_of_expiry",
    "personal_number": "personal_number",
}

_DEFAULT_CHAR_CONFIDENCE = 0.9
_EXPIRY_AHEAD_YEARS = 30


def _clean(text: str) -> str:
    return " ".join(re.sub("<+", " ", text).split())


def decode_name(field: str) -> tuple[str, str]:
    """Split an MRZ name field into ``(surname, given_names)``.

    The primary identifier ends at the first ``<<``; single ``<`` are spaces.

    >>> decode_name("ERIKSSON<<ANNA<MARIA<<<<<<")
    ('ERIKSSON', 'ANNA MARIA')
    """
    body = field.rstrip("<")
    surname, sep, given = body.partition("<<")
    return _clean(surname), _clean(given) if sep else ""


def decode_date(yymmdd: str, kind: str, today: date | None = None) -> date | None:
    """Decode ``YYMMDD`` with a sensible century, or ``None`` if it is not a date.

    Args:
        yymmdd: six characters.
        kind: ``"birth"`` or ``"issue"`` (never in the future: the latest century
            that is not after ``today``), ``"expiry"`` (at most 30 years after ``today``,
            at most 70 years before).
        today: the reference date (``date.today()`` by default).
    """
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    ref = today or date.today()
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = ref.year // 100 * 100
    candidates = [century - 100 + yy, century + yy, century + 100 + yy]
    if kind in ("birth", "issue"):
        years = [y for y in candidates if y <= ref.year]
        year = max(years)
        try:
            value = date(year, mm, dd)
        except ValueError:
            return None
        if value > ref:
            year -= 100
    elif kind == "expiry":
        year = century + yy
        if year > ref.year + _EXPIRY_AHEAD_YEARS:
            year -= 100
        elif year <= ref.year + _EXPIRY_AHEAD_YEARS - 100:
            year += 100
    else:
        raise ValueError(f"unknown date kind {kind!r}")
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def _document_number(parse: MrzParse) -> tuple[str, list[tuple[int, int]]]:
    for chk in resolve_checks(parse.layout, parse.repaired_lines):
        if chk.name == "document_number":
            raw = "".join(parse.repaired_lines[r][c] for r, c in chk.data)
            return raw, list(chk.data)
    return parse.fields.get("document_number", ""), []


def _values(parse: MrzParse, today: date | None) -> dict[str, tuple[str, str, str | None]]:
    """canonical name -> (value, raw, source field name)."""
    f = parse.fields
    out: dict[str, tuple[str, str, str | None]] = {}
    code = f.get("document_code", "")
    if code.strip("<"):
        out["document_type"] = (code.strip("<"), code, "document_code")
    for name in ("issuing_country", "nationality"):
        raw = f.get(name, "")
        if raw.strip("<"):
            out[name] = (raw.strip("<"), raw, name)
    number, _ = _document_number(parse)
    if number.strip("<"):
        out["document_number"] = (number.replace("<", ""), number, "document_number")
    if "name" in f:
        surname, given = decode_name(f["name"])
        if surname:
            out["surname"] = (surname, f["name"], "name")
        if given:
            out["given_names"] = (given, f["name"], "name")
    else:
        surname, given = _clean(f.get("surname", "")), _clean(f.get("given_names", ""))
        if surname:
            out["surname"] = (surname, f.get("surname", ""), "surname")
        if given:
            out["given_names"] = (given, f.get("given_names", ""), "given_names")
    for name, kind in (("date_of_birth", "birth"), ("date_of_expiry", "expiry")):
        raw = f.get(name, "")
        d = decode_date(raw, kind, today) if raw else None
        if d is not None:
            out[name] = (d.isoformat(), raw, name)
    sex = f.get("sex", "")
    if sex in ("M", "F", "X", "<"):
        out["sex"] = ("X" if sex == "<" else sex, sex, "sex")
    personal = f.get("personal_number", "")
    if personal.strip("<"):
        out["personal_number"] = (personal.replace("<", ""), personal, "personal_number")
    return out


def mrz_values(parse: MrzParse, today: date | None = None) -> dict[str, str]:
    """Canonical field name -> normalized value, for the output's ``mrz.fields``."""
    return {name: v[0] for name, v in _values(parse, today).items()}


def mrz_fields(
    parse: MrzParse,
    *,
    today: date | None = None,
    char_confidences: Sequence[Sequence[float]] | None = None,
) -> dict[str, FieldValue]:
    """Canonical :class:`~idstream.document.FieldValue` records with ``source="mrz"``.

    A field's confidence is the lowest recognizer confidence of its characters
    (0.9 when unknown); a passing check digit over the field raises it to
    ``1 - (1 - c) / 10``, a failing one halves it.

    Args:
        parse: the parsed MRZ.
        today: reference date for century resolution.
        char_confidences: per line and column, the recognizer's confidence.
    """
    layout = parse.layout
    out: dict[str, FieldValue] = {}
    _, number_positions = _document_number(parse)
    for name, (value, raw, src) in _values(parse, today).items():
        spec = layout.field(src) if src else None
        positions: list[tuple[int, int]]
        if name == "document_number" and number_positions:
            positions = number_positions
        elif spec is not None:
            positions = [(spec.line, c) for c in range(spec.start, spec.end)]
        else:
            positions = []
        conf = _DEFAULT_CHAR_CONFIDENCE
        if char_confidences is not None and positions:
            vals = [
                char_confidences[r][c]
                for r, c in positions
                if r < len(char_confidences) and c < len(char_confidences[r])
            ]
            if vals:
                conf = float(min(vals))
        check = _FIELD_CHECK.get(name)
        if check is not None and check in parse.checks:
            conf = 1.0 - (1.0 - conf) / 10.0 if parse.checks[check] else conf / 2.0
        out[name] = FieldValue(value=value, raw=raw, confidence=round(conf, 4), box=None, source="mrz")
    return out
