"""MRZ layouts (ICAO Doc 9303 parts 4-7, and the French national ID card) as data.

A layout is a list of :class:`FieldSpec` (where each field sits and which
characters it may hold) and :class:`CheckSpec` (which characters a check digit
covers). Parsing, repair and reading all work from these tables, so adding a
layout means adding data, not code.

Character classes used for repair and for constraining OCR:

* ``"A"``: letters and the filler ``<`` (names, country codes, document codes);
* ``"N"``: digits (dates, check digits; ``<`` accepted where ICAO allows it);
* ``"X"``: any MRZ character (document numbers, optional data);
* ``"S"``: the sex field (``M``, ``F``, ``X`` or ``<``).
"""

from __future__ import annotations

from dataclasses import dataclass

from idstream.mrz.checkdigit import MRZ_ALPHABET

__all__ = [
    "CLASS_CHARS",
    "FORMATS",
    "CheckSpec",
    "FieldSpec",
    "MrzFormat",
    "detect_format",
    "format_by_name",
    "formats_for_shape",
]

Span = tuple[int, int, int]  # (line, start, end) with end exclusive

#: Characters each column class of :meth:`MrzFormat.char_classes` allows: ``A`` letters,
#: ``N`` digits, ``S`` sex, ``X`` the whole MRZ alphabet (all with the filler ``<``).
CLASS_CHARS: dict[str, frozenset[str]] = {
    "A": frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ<"),
    "N": frozenset("0123456789<"),
    "S": frozenset("MFX<"),
    "X": frozenset(MRZ_ALPHABET),
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an MRZ layout.

    Attributes:
        name: the field's name in :class:`~idstream.mrz.parse.MrzParse` (``document_number``, ...).
        line: zero-based line index.
        start: first column.
        end: column after the last one.
        cls: character class (``"A"``, ``"N"``, ``"X"`` or ``"S"``).
    """

    name: str
    line: int
    start: int
    end: int
    cls: str

    @property
    def span(self) -> Span:
        """``(line, start, end)``."""
        return (self.line, self.start, self.end)


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check digit and the character ranges it covers.

    Attributes:
        name: the check's name (``document_number``, ``date_of_birth``, ..., ``composite``).
        data: the covered ranges, concatenated in order.
        digit: ``(line, column)`` of the check digit.
        optional: ``True`` when a filler ``<`` is allowed in place of the digit for an
            empty field (the TD3 personal number).
    """

    name: str
    data: tuple[Span, ...]
    digit: tuple[int, int]
    optional: bool = False


@dataclass(frozen=True, slots=True)
class MrzFormat:
    """One MRZ layout.

    Attributes:
        name: ``TD1``, ``TD2``, ``TD3``, ``MRV-A``, ``MRV-B`` or ``FR-ID``.
        lines: number of lines.
        length: characters per line.
        fields: the fields, in reading order.
        checks: the check digits.
    """

    name: str
    lines: int
    length: int
    fields: tuple[FieldSpec, ...]
    checks: tuple[CheckSpec, ...]

    def char_classes(self) -> list[str]:
        """One class string per line: the character class of every column."""
        rows = [["X"] * self.length for _ in range(self.lines)]
        for f in self.fields:
            for col in range(f.start, f.end):
                rows[f.line][col] = f.cls
        for c in self.checks:
            rows[c.digit[0]][c.digit[1]] = "N"
        return ["".join(r) for r in rows]

    def field(self, name: str) -> FieldSpec | None:
        """The field called ``name``, or ``None``."""
        for f in self.fields:
            if f.name == name:
                return f
        return None


def _f(name: str, line: int, start: int, end: int, cls: str) -> FieldSpec:
    return FieldSpec(name, line, start, end, cls)


_TD1 = MrzFormat(
    name="TD1",
    lines=3,
    length=30,
    fields=(
        _f("document_code", 0, 0, 2, "A"),
        _f("issuing_country", 0, 2, 5, "A"),
        _f("document_number", 0, 5, 14, "X"),
        _f("optional_data_1", 0, 15, 30, "X"),
        _f("date_of_birth", 1, 0, 6, "N"),
        _f("sex", 1, 7, 8, "S"),
        _f("date_of_expiry", 1, 8, 14, "N"),
        _f("nationality", 1, 15, 18, "A"),
        _f("optional_data_2", 1, 18, 29, "X"),
        _f("name", 2, 0, 30, "A"),
    ),
    checks=(
        CheckSpec("document_number", ((0, 5, 14),), (0, 14)),
        CheckSpec("date_of_birth", ((1, 0, 6),), (1, 6)),
        CheckSpec("date_of_expiry", ((1, 8, 14),), (1, 14)),
        CheckSpec("composite", ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)), (1, 29)),
    ),
)

_TD2 = MrzFormat(
    name="TD2",
    lines=2,
    length=36,
    fields=(
        _f("document_code", 0, 0, 2, "A"),
        _f("issuing_country", 0, 2, 5, "A"),
        _f("name", 0, 5, 36, "A"),
        _f("document_number", 1, 0, 9, "X"),
        _f("nationality", 1, 10, 13, "A"),
        _f("date_of_birth", 1, 13, 19, "N"),
        _f("sex", 1, 20, 21, "S"),
        _f("date_of_expiry", 1, 21, 27, "N"),
        _f("optional_data", 1, 28, 35, "X"),
    ),
    checks=(
        CheckSpec("document_number", ((1, 0, 9),), (1, 9)),
        CheckSpec("date_of_birth", ((1, 13, 19),), (1, 19)),
        CheckSpec("date_of_expiry", ((1, 21, 27),), (1, 27)),
        CheckSpec("composite", ((1, 0, 10), (1, 13, 20), (1, 21, 35)), (1, 35)),
    ),
)

_TD3 = MrzFormat(
    name="TD3",
    lines=2,
    length=44,
    fields=(
        _f("document_code", 0, 0, 2, "A"),
        _f("issuing_country", 0, 2, 5, "A"),
        _f("name", 0, 5, 44, "A"),
        _f("document_number", 1, 0, 9, "X"),
        _f("nationality", 1, 10, 13, "A"),
        _f("date_of_birth", 1, 13, 19, "N"),
        _f("sex", 1, 20, 21, "S"),
        _f("date_of_expiry", 1, 21, 27, "N"),
        _f("personal_number", 1, 28, 42, "X"),
    ),
    checks=(
        CheckSpec("document_number", ((1, 0, 9),), (1, 9)),
        CheckSpec("date_of_birth", ((1, 13, 19),), (1, 19)),
        CheckSpec("date_of_expiry", ((1, 21, 27),), (1, 27)),
        CheckSpec("personal_number", ((1, 28, 42),), (1, 42), optional=True),
        CheckSpec("composite", ((1, 0, 10), (1, 13, 20), (1, 21, 43)), (1, 43)),
    ),
)


def _mrv(name: str, length: int) -> MrzFormat:
    return MrzFormat(
        name=name,
        lines=2,
        length=length,
        fields=(
            _f("document_code", 0, 0, 2, "A"),
            _f("issuing_country", 0, 2, 5, "A"),
            _f("name", 0, 5, length, "A"),
            _f("document_number", 1, 0, 9, "X"),
            _f("nationality", 1, 10, 13, "A"),
            _f("date_of_birth", 1, 13, 19, "N"),
            _f("sex", 1, 20, 21, "S"),
            _f("date_of_expiry", 1, 21, 27, "N"),
            _f("optional_data", 1, 28, length, "X"),
        ),
        checks=(
            CheckSpec("document_number", ((1, 0, 9),), (1, 9)),
            CheckSpec("date_of_birth", ((1, 13, 19),), (1, 19)),
            CheckSpec("date_of_expiry", ((1, 21, 27),), (1, 27)),
        ),
    )


_MRV_A = _mrv("MRV-A", 44)
_MRV_B = _mrv("MRV-B", 36)

# French national identity card (1988-2021 model): 2 x 36, its own layout.
_FR_ID = MrzFormat(
    name="FR-ID",
    lines=2,
    length=36,
    fields=(
        _f("document_code", 0, 0, 2, "A"),
        _f("issuing_country", 0, 2, 5, "A"),
        _f("surname", 0, 5, 30, "A"),
        _f("administrative_code", 0, 30, 36, "X"),
        _f("document_number", 1, 0, 12, "X"),
        _f("given_names", 1, 13, 27, "A"),
        _f("date_of_birth", 1, 27, 33, "N"),
        _f("sex", 1, 34, 35, "S"),
    ),
    checks=(
        CheckSpec("document_number", ((1, 0, 12),), (1, 12)),
        CheckSpec("date_of_birth", ((1, 27, 33),), (1, 33)),
        CheckSpec("composite", ((0, 0, 36), (1, 0, 35)), (1, 35)),
    ),
)

#: Every supported layout, by name.
FORMATS: dict[str, MrzFormat] = {f.name: f for f in (_TD1, _TD2, _TD3, _MRV_A, _MRV_B, _FR_ID)}


def format_by_name(name: str) -> MrzFormat:
    """The layout called ``name``.

    Raises:
        ValueError: for an unknown layout name.
    """
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown MRZ format {name!r}; known: {', '.join(FORMATS)}") from None


def formats_for_shape(lines: int, length: int) -> list[MrzFormat]:
    """The layouts with ``lines`` lines of ``length`` characters."""
    return [f for f in FORMATS.values() if f.lines == lines and f.length == length]


def detect_format(lines: list[str]) -> MrzFormat | None:
    """Pick the layout of MRZ ``lines`` from their count, length and document code.

    Visas (first character ``V``) are MRV-A/MRV-B, ``IDFRA`` on 2 x 36 is the
    French national ID card. Lines whose lengths do not match a layout give ``None``.
    """
    if not lines:
        return None
    n = len(lines)
    length = len(lines[0])
    if any(len(line) != length for line in lines):
        return None
    first = lines[0][:1]
    if n == 3 and length == 30:
        return _TD1
    if n == 2 and length == 44:
        return _MRV_A if first == "V" else _TD3
    if n == 2 and length == 36:
        if first == "V":
            return _MRV_B
        if lines[0].startswith("IDFRA") and _fr_id_plausible(lines[1]):
            return _FR_ID
        return _TD2
    return None


def _fr_id_plausible(line2: str) -> bool:
    # The TD2 nationality (columns 10-12) holds letters; the French ID card has
    # digits of its document number there.
    return sum(ch.isdigit() for ch in line2[10:13]) >= 2
