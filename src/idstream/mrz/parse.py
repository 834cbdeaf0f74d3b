"""Parse MRZ lines: layout, fields, check digits before and after repair."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from idstream.mrz.formats import MrzFormat, detect_format, format_by_name
from idstream.mrz.repair import Alternatives, Repair, repair_lines
from idstream.mrz.validate import evaluate_checks

__all__ = ["MrzParse", "normalize_line", "parse_mrz"]

_TRANSLATE = str.maketrans({"«": "<", "‹": "<", "(": "<", "[": "<", "{": "<"})


def normalize_line(text: str) -> str:
    """Uppercase, drop spaces, map ``«`` and similar to ``<``; other symbols stay (and fail checks)."""
    return "".join(text.upper().translate(_TRANSLATE).split())


@dataclass(slots=True)
class MrzParse:
    """The result of parsing one MRZ.

    Attributes:
        format: the layout's name (``TD1``, ``TD2``, ``TD3``, ``MRV-A``, ``MRV-B``, ``FR-ID``).
        lines: the lines as read (normalized to the MRZ alphabet where unambiguous).
        repaired_lines: the lines after repair.
        fields: raw field strings of the repaired lines, by field name.
        checks: check name -> passed, after repair.
        checks_before_repair: check name -> passed, on the lines as read.
        repairs: changed positions and the kind of repair.
        ambiguous: checks that several equally likely repairs would have fixed (left failed).
    """

    format: str
    lines: list[str]
    repaired_lines: list[str]
    fields: dict[str, str]
    checks: dict[str, bool]
    checks_before_repair: dict[str, bool]
    repairs: list[Repair] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """All check digits pass (after repair)."""
        return all(self.checks.values())

    @property
    def layout(self) -> MrzFormat:
        """The layout record."""
        return format_by_name(self.format)

    def to_dict(self, today: date | None = None) -> dict[str, Any]:
        """The MRZ object of the output document (see ``docs/mrz.md``)."""
        from idstream.mrz.fields import mrz_values

        return {
            "format": self.format,
            "lines": list(self.lines),
            "repaired_lines": list(self.repaired_lines),
            "valid": self.valid,
            "checks": dict(self.checks),
            "checks_before_repair": dict(self.checks_before_repair),
            "repairs": [r.to_dict() for r in self.repairs],
            "fields": mrz_values(self, today=today),
        }


_AS_LETTERS = str.maketrans("0125867", "OIZSBGT")


def _realign_first_line(layout: MrzFormat, lines: list[str]) -> tuple[list[str], bool]:
    """Put back a filler that OCR dropped after a one-letter document code (``PUTO...``).

    The first line carries no check digit, so a dropped ``<`` in column 1 shifts the
    issuing country and the names silently. It is restored only when the evidence
    is unambiguous: column 1 is a letter, the shifted code equals the nationality of
    the other line, the unshifted one does not, and the line ends in a filler.
    """
    fields = {f.name: f for f in layout.fields}
    issuing, nationality = fields.get("issuing_country"), fields.get("nationality")
    if issuing is None or nationality is None or issuing.line != 0 or issuing.start != 2:
        return lines, False
    first = lines[0]
    # the nationality is letters only: read it as such before comparing (UT0 -> UTO)
    nat = lines[nationality.line][nationality.start : nationality.end].translate(_AS_LETTERS)
    if first[1] == "<" or not first[1].isalpha() or not first.endswith("<") or "<" in nat:
        return lines, False
    if first[2:5] == nat or first[1:4] != nat:
        return lines, False
    return [first[0] + "<" + first[1:-1], *lines[1:]], True


def _fit(line: str, length: int) -> str:
    if len(line) >= length:
        return line[:length]
    return line + "<" * (length - len(line))


def parse_mrz(
    lines: Sequence[str],
    *,
    fmt: str | MrzFormat | None = None,
    alternatives: Alternatives | None = None,
    repair: bool = True,
    verified: frozenset[tuple[int, int]] = frozenset(),
) -> MrzParse:
    """Parse MRZ ``lines``, verify and (optionally) repair the check digits.

    Args:
        lines: the MRZ lines, top to bottom.
        fmt: force a layout (name or record); detected from the lines otherwise.
        alternatives: OCR candidates per line and column (best first) for repair.
        repair: apply class and check-digit repair.
        verified: positions whose alternatives come from glyph comparison (see
            :func:`idstream.mrz.repair.repair_lines`).

    Returns:
        The parse. Lines shorter or longer than the layout are padded with ``<`` or cut.

    Raises:
        ValueError: when the lines match no layout (and none was forced).
    """
    norm = [normalize_line(line) for line in lines]
    layout: MrzFormat | None = fmt if isinstance(fmt, MrzFormat) else None
    if isinstance(fmt, str):
        layout = format_by_name(fmt)
    elif fmt is None:
        layout = detect_format(norm)
    if layout is None:
        shape = f"{len(norm)} line(s) of {sorted({len(x) for x in norm})} characters"
        raise ValueError(f"no MRZ layout has {shape}")
    if len(norm) != layout.lines:
        raise ValueError(f"layout {layout.name} has {layout.lines} lines, got {len(norm)}")
    norm = [_fit(line, layout.length) for line in norm]
    norm, shifted = _realign_first_line(layout, norm)
    if shifted and alternatives is not None and alternatives and len(alternatives[0]) > 1:
        first = list(alternatives[0])
        alternatives = [[*first[:1], [("<", 1.0)], *first[1:-1]], *alternatives[1:]]
    before = evaluate_checks(layout, norm)
    if repair:
        result = repair_lines(layout, norm, alternatives, verified if not shifted else frozenset())
        fixed, repairs, ambiguous = result.lines, result.repairs, result.ambiguous
    else:
        fixed, repairs, ambiguous = list(norm), [], []
    if shifted:
        repairs = [Repair(0, 1, "filler"), *repairs]
    after = evaluate_checks(layout, fixed)
    fields = {f.name: fixed[f.line][f.start : f.end] for f in layout.fields}
    return MrzParse(
        format=layout.name,
        lines=norm,
        repaired_lines=fixed,
        fields=fields,
        checks=after,
        checks_before_repair=before,
        repairs=repairs,
        ambiguous=ambiguous,
    )
