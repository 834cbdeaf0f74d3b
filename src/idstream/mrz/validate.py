"""Evaluate the check digits of MRZ lines against a layout."""

from __future__ import annotations

from dataclasses import dataclass

from idstream.mrz.checkdigit import MRZ_ALPHABET, check_digit
from idstream.mrz.formats import CLASS_CHARS, CheckSpec, MrzFormat

__all__ = ["ResolvedCheck", "check_passes", "evaluate_checks", "resolve_checks"]

Pos = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ResolvedCheck:
    """A check digit bound to concrete positions of concrete lines.

    Attributes:
        name: the check's name.
        data: positions ``(line, column)`` of the covered characters, in order.
        digit: position of the check digit.
        optional: an empty field may carry ``<`` instead of the digit.
        classes: per data position, the layout's character class (``A``, ``N``, ``X``,
            ``S``); empty: not constrained.
    """

    name: str
    data: tuple[Pos, ...]
    digit: Pos
    optional: bool = False
    classes: tuple[str, ...] = ()

    @property
    def positions(self) -> tuple[Pos, ...]:
        """Covered positions and the digit's position."""
        return (*self.data, self.digit)


def _spans(spec: CheckSpec) -> tuple[Pos, ...]:
    return tuple((line, col) for line, start, end in spec.data for col in range(start, end))


def resolve_checks(fmt: MrzFormat, lines: list[str]) -> list[ResolvedCheck]:
    """Bind the layout's checks to ``lines``.

    Handles the TD1 long document number: when column 14 of line 1 holds ``<``,
    the number continues in the optional data up to the next ``<``, and the
    character before that ``<`` is the check digit (Doc 9303 part 5, note j).
    """
    out: list[ResolvedCheck] = []
    char_classes = fmt.char_classes()
    for spec in fmt.checks:
        data = _spans(spec)
        digit = spec.digit
        if fmt.name == "TD1" and spec.name == "document_number" and lines[0][14] == "<":
            tail = lines[0][15:30]
            end = tail.find("<")
            if end < 0:
                end = len(tail)
            if end >= 2:
                data = data + tuple((0, 15 + i) for i in range(end - 1))
                digit = (0, 15 + end - 1)
        classes = tuple(char_classes[r][c] for r, c in data)
        out.append(ResolvedCheck(spec.name, data, digit, spec.optional, classes))
    return out


def check_passes(check: ResolvedCheck, lines: list[str]) -> bool:
    """Whether ``check`` holds on ``lines``.

    A covered character outside its field's class (a letter in a date) fails the check
    whatever the digit says: the weighted sum cannot vouch for a date that is not one.
    """
    data = "".join(lines[r][c] for r, c in check.data)
    digit = lines[check.digit[0]][check.digit[1]]
    if any(ch not in MRZ_ALPHABET for ch in data):
        return False
    for ch, cls in zip(data, check.classes, strict=False):
        if ch not in CLASS_CHARS.get(cls, MRZ_ALPHABET):
            return False
    if digit == "<":
        return check.optional and set(data) <= {"<"}
    if not digit.isdigit():
        return False
    return check_digit(data) == digit


def evaluate_checks(fmt: MrzFormat, lines: list[str]) -> dict[str, bool]:
    """Every check of the layout on ``lines``: name -> passed."""
    return {c.name: check_passes(c, lines) for c in resolve_checks(fmt, lines)}
