"""Repair OCR confusions in MRZ lines with character classes and check digits.

Steps, all recorded (positions and kinds only, never characters):

1. ``class``: a letter where the layout only allows digits (dates, check digits) or
   a digit where it only allows letters (names, country codes) is replaced by the
   best OCR alternative of the right class, else by its look-alike (``O`` -> ``0``,
   ``5`` -> ``S``, ...).
2. ``filler``: in a name field, everything after the end of the data is filler.
3. ``prior`` (only with OCR alternatives): ``O``/``0`` glyphs in document and
   personal numbers are read as ``0`` first.
4. ``check_digit``: for a failing check, the cheapest set of at most two
   substitutions among OCR alternatives and look-alikes (``0/O``, ``1/I``, ``5/S``,
   ``8/B``, ``2/Z``, ``6/G``) that makes the check (and any other check it touches)
   valid is applied, but only when it is unambiguous (a second solution within the
   margin leaves the characters as read and the check failed, listed as ambiguous)
   and, with OCR alternatives, plausible (its cost stays under a bound).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from idstream.mrz.formats import CLASS_CHARS, MrzFormat
from idstream.mrz.validate import ResolvedCheck, check_passes, resolve_checks

__all__ = [
    "Alternatives",
    "Repair",
    "RepairResult",
    "repair_lines",
]

#: Per line, per column: OCR candidates ``(char, probability)``, best first.
Alternatives = Sequence[Sequence[Sequence[tuple[str, float]]]]

Pos = tuple[int, int]

# Look-alikes used to restore the right class (deterministic).
_TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "T": "7", "Z": "2", "S": "5",
             "B": "8", "G": "6", "A": "4", "E": "8"}  # fmt: skip
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B"}
_TO_SEX = {"H": "M", "N": "M", "W": "M", "P": "F", "E": "F", "K": "X"}

# Look-alike pairs tried by check-digit repair, in both directions.
_SWAPS: dict[str, str] = {}
for _a, _b in (("0", "O"), ("1", "I"), ("5", "S"), ("8", "B"), ("2", "Z"), ("6", "G")):
    _SWAPS[_a] = _b
    _SWAPS[_b] = _a


_SWAP_COST = 1.0  # a look-alike swap when no OCR alternatives are known (all swaps equal)
_SWAP_COST_UNSEEN = 5.0  # a look-alike swap the recognizer did not propose at all
# 0 and O are drawn almost alike in many MRZ fonts and the recognizer then picks one from
# context (letters around -> O): flipping them costs this, whatever its probabilities.
_ZERO_O_COST = 1.0
# With OCR alternatives, a repair is applied only if it costs less than this (the
# recognizer gave the repaired characters some probability), else the check stays failed.
_MAX_REPAIR_COST_OCR = 4.5
_ALT_COST_CAP = 6.0
_AMBIGUITY_MARGIN = 1.0
_MAX_CHANGES = 2
_MAX_CHANGES_OCR = 2
_MAX_OPTIONS_OCR = 24
# Check-digit repair changes at most this many characters in one MRZ: each check passes by
# chance for one substitution set in ten, so a reading that needs more is more likely
# garbage that happens to validate than a few misread characters.
_MAX_CHANGES_PER_MRZ = 2


def _check_digit_changes(repairs: list[Repair]) -> int:
    return sum(1 for r in repairs if r.kind == "check_digit")


@dataclass(frozen=True, slots=True)
class Repair:
    """One changed character: where and why (``class``, ``filler``, ``prior`` or ``check_digit``)."""

    line: int
    column: int
    kind: str

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "kind": self.kind}


@dataclass(slots=True)
class RepairResult:
    """Repaired lines and what was changed.

    Attributes:
        lines: the repaired lines.
        repairs: the changes, in order.
        ambiguous: names of checks that several equally likely repairs would fix.
    """

    lines: list[str]
    repairs: list[Repair] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def _alts_at(alternatives: Alternatives | None, pos: Pos) -> Sequence[tuple[str, float]] | None:
    if alternatives is None:
        return None
    r, c = pos
    if r >= len(alternatives) or c >= len(alternatives[r]):
        return None
    return alternatives[r][c] or None


def _class_repair(
    fmt: MrzFormat, lines: list[list[str]], alternatives: Alternatives | None, repairs: list[Repair]
) -> None:
    classes = fmt.char_classes()
    for r, row in enumerate(lines):
        for c, ch in enumerate(row):
            cls = classes[r][c]
            allowed = CLASS_CHARS[cls]
            if ch in allowed:
                continue
            new: str | None = None
            alts = _alts_at(alternatives, (r, c))
            if alts:
                new = next((a for a, _ in alts if a in allowed), None)
            if new is None:
                table = {"N": _TO_DIGIT, "A": _TO_LETTER, "S": _TO_SEX}.get(cls, {})
                new = table.get(ch)
            if new is not None and new != ch:
                row[c] = new
                repairs.append(Repair(r, c, "class"))


_SEPARATOR_MIN_P = 0.1


def _separator_repair(
    fmt: MrzFormat, lines: list[list[str]], alternatives: Alternatives, repairs: list[Repair]
) -> None:
    """Restore a ``<<`` name separator read as two letters (``KK``, ``KC``, ...).

    Only when the name field has no ``<<`` before its trailing fillers and the
    recognizer gave ``<`` some probability (>= 0.1) at both letters of the pair; the
    most probable pair is taken.
    """
    for spec in fmt.fields:
        if spec.name != "name":
            continue
        row = lines[spec.line]
        text = "".join(row[spec.start : spec.end])
        end = text.find("<<")
        if end < 0 or any(ch not in "<K" for ch in text[end:]):
            continue  # full field, or a separator with given names after it already
        body = text[:end]
        best: tuple[float, int] | None = None
        for i in range(1, len(body) - 2):
            if body[i] == "<" and body[i + 1] == "<":
                continue
            probs = []
            for j in (i, i + 1):
                p = (
                    1.0
                    if body[j] == "<"
                    else dict(_alts_at(alternatives, (spec.line, spec.start + j)) or []).get("<", 0.0)
                )
                probs.append(p)
            if min(probs) >= _SEPARATOR_MIN_P and (best is None or probs[0] * probs[1] > best[0]):
                best = (probs[0] * probs[1], i)
        if best is not None and best[0] < 1.0:
            for col in (spec.start + best[1], spec.start + best[1] + 1):
                if row[col] != "<":
                    row[col] = "<"
                    repairs.append(Repair(spec.line, col, "filler"))


def _filler_repair(fmt: MrzFormat, lines: list[list[str]], repairs: list[Repair]) -> None:
    """Force fillers after the end of a name field's data.

    In a name field the primary and secondary identifiers are separated by ``<<`` and
    their components by single ``<``; the next ``<<`` after the separator ends the
    data, so anything after it is filler (letters there are misread ``<``).
    """
    for spec in fmt.fields:
        if spec.name not in ("name", "given_names", "surname") or fmt.name == "FR-ID":
            continue
        row = lines[spec.line]
        text = "".join(row[spec.start : spec.end])
        sep = text.find("<<")
        if sep < 0:
            continue
        end = sep if text[sep + 2 : sep + 4] == "<<" else text.find("<<", sep + 2)
        if end < 0:
            continue
        for col in range(spec.start + end, spec.end):
            if row[col] != "<":
                row[col] = "<"
                repairs.append(Repair(spec.line, col, "filler"))


#: Fields where an O/0 glyph is read as the digit 0 first (check-digit repair may flip it back).
_DIGIT_FIRST_FIELDS = ("document_number", "personal_number")


def _zero_prior(
    fmt: MrzFormat, lines: list[list[str]], repairs: list[Repair], verified: frozenset[Pos] = frozenset()
) -> None:
    """Read O/0 glyphs in document and personal numbers as 0.

    The recognizer chooses between the two look-alikes from the neighbouring
    characters (letters around -> O), which says nothing in a serial number; digits
    are far more common there (several states never use the letter O). A wrong
    guess fails the check digit, and check-digit repair flips it back. Positions
    whose glyph was compared with same-document references (``verified``) keep
    their reading, and so does a field whose check digit passes as read but would
    fail after the flips (the check digit is better evidence than the prior; left to
    check-digit repair, the flip back competes with cheaper look-alike sets that also
    validate, which at low resolution produced valid but wrong numbers).
    """
    checks = resolve_checks(fmt, ["".join(r) for r in lines])
    for spec in fmt.fields:
        if spec.name not in _DIGIT_FIRST_FIELDS:
            continue
        row = lines[spec.line]
        cols = [c for c in range(spec.start, spec.end) if row[c] == "O" and (spec.line, c) not in verified]
        if not cols:
            continue
        own = [c for c in checks if c.name == spec.name]
        before = ["".join(r) for r in lines]
        trial = [list(r) for r in before]
        for col in cols:
            trial[spec.line][col] = "0"
        after = ["".join(r) for r in trial]
        if any(check_passes(c, before) and not check_passes(c, after) for c in own):
            continue
        for col in cols:
            row[col] = "0"
            repairs.append(Repair(spec.line, col, "prior"))


_FILLER_LOOKALIKES = frozenset("4K")


def _filler_run_repair(
    checks: list[ResolvedCheck], lines: list[list[str]], classes: list[str], repairs: list[Repair]
) -> None:
    """Read ``4``/``K`` next to fillers in free-form fields as ``<``, when that fixes a check.

    At low resolution the recognizer reads runs of ``<`` as ``<<44<<4<``. For each
    failing check, the ``4``/``K`` characters of its free-form (``X``) positions that
    touch a ``<`` (repeatedly) become ``<``; the change is kept only if the check then
    passes and no passing check breaks.
    """
    for chk in checks:
        now = ["".join(r) for r in lines]
        if check_passes(chk, now):
            continue
        trial = [list(r) for r in now]
        changed: list[Pos] = []
        cols = {p for p in chk.data if classes[p[0]][p[1]] == "X"}
        grew = True
        while grew:
            grew = False
            for r, c in sorted(cols):
                if trial[r][c] in _FILLER_LOOKALIKES and any(
                    0 <= c + d < len(trial[r]) and trial[r][c + d] == "<" for d in (-1, 1)
                ):
                    trial[r][c] = "<"
                    changed.append((r, c))
                    grew = True
        if not changed:
            continue
        joined = ["".join(r) for r in trial]
        if check_passes(chk, joined) and all(check_passes(o, joined) for o in checks if check_passes(o, now)):
            for r, c in changed:
                lines[r][c] = "<"
                repairs.append(Repair(r, c, "filler"))


#: Free-form fields whose data is left-aligned and padded with fillers.
_TAIL_FIELDS = ("personal_number", "optional_data", "optional_data_1", "optional_data_2")
#: What a run of chevrons (``<<<``) is read as at low resolution: one chevron closed by its
#: neighbour's strokes looks like ``4``, ``K`` or ``2``, two merged ones like ``8``.
_FILLER_TAIL_LOOKALIKES = frozenset("4K82")


def _tail_cuts(text: str, earliest_only: bool) -> list[str]:
    """The field ``text`` with its data ended at a recognized filler (distinct results).

    A cut is possible at a ``<`` whose tail holds only fillers and filler look-alikes
    (and at least one look-alike); ``earliest_only`` keeps the cut at the first such
    filler (the field is filler from there on).
    """
    cuts: list[str] = []
    for j, ch in enumerate(text):
        tail = text[j:]
        if ch != "<" or set(tail) == {"<"} or not set(tail) <= _FILLER_TAIL_LOOKALIKES | {"<"}:
            continue
        cand = text[:j] + "<" * len(tail)
        if cand not in cuts:
            cuts.append(cand)
        if earliest_only:
            break
    return cuts


def _filler_tail_repair(
    fmt: MrzFormat, lines: list[list[str]], repairs: list[Repair], *, own_check: bool
) -> None:
    """End the data of free-form fields at a filler, when a check digit proves it.

    Optional data and personal numbers are left-aligned and padded with ``<``; at low
    resolution the recognizer reads the padding as ``<<<4888448844<`` or ``<244<``.

    - ``own_check=True``: each field with its own check digit (the TD3 personal number)
      whose check fails: every cut "the data ends at this recognized filler" whose tail
      holds only fillers and their look-alikes is tried; applied only if exactly one
      distinct cut makes the check pass and no passing check breaks.
    - ``own_check=False``: the fields covered only by the composite (TD1, TD2 and FR-ID
      optional data), jointly, each as read or filler from its first recognized filler
      on (a field's own cut positions would give the single composite digit too many
      chances); applied only if exactly one combination makes a failing composite pass
      without breaking a passing check. Run after the other checks were repaired.
    """
    now = ["".join(r) for r in lines]
    checks = resolve_checks(fmt, now)
    passing = [c for c in checks if check_passes(c, now)]
    groups: list[tuple[list[ResolvedCheck], list[tuple[int, int, int, list[str]]]]] = []
    loose: list[tuple[int, int, int, list[str]]] = []
    for spec in fmt.fields:
        if spec.name not in _TAIL_FIELDS:
            continue
        cols = range(spec.start, spec.end)
        covering = [c for c in checks if any(r == spec.line and c0 in cols for r, c0 in c.data)]
        own = [c for c in covering if c.name != "composite"]
        text = now[spec.line][spec.start : spec.end]
        if own_check and own and not all(check_passes(c, now) for c in own):
            groups.append((own, [(spec.line, spec.start, spec.end, _tail_cuts(text, earliest_only=False))]))
        elif not own_check and not own and covering:
            loose.append((spec.line, spec.start, spec.end, _tail_cuts(text, earliest_only=True)))
    if loose:
        composite = [c for c in checks if c.name == "composite"]
        if composite and not all(check_passes(c, now) for c in composite):
            groups.append((composite, loose))
    for gate, fields in groups:
        options = [[None, *cuts] for *_, cuts in fields]
        found: list[list[str | None]] = []
        for combo in itertools.product(*options):
            if all(c is None for c in combo):
                continue
            trial = [list(r) for r in now]
            for (line, start, end, _), cand in zip(fields, combo, strict=True):
                if cand is not None:
                    trial[line][start:end] = list(cand)
            joined = ["".join(r) for r in trial]
            if all(check_passes(c, joined) for c in (*gate, *passing)):
                found.append(list(combo))
        if len(found) != 1:
            continue
        for (line, start, _, _), cand in zip(fields, found[0], strict=True):
            for i, ch in enumerate(cand or ""):
                if lines[line][start + i] != ch:
                    lines[line][start + i] = ch
                    repairs.append(Repair(line, start + i, "filler"))


def _candidates(
    fmt_classes: list[str],
    lines: list[list[str]],
    pos: Pos,
    alternatives: Alternatives | None,
    is_digit: bool,
    verified: bool = False,
) -> list[tuple[str, float]]:
    r, c = pos
    current = lines[r][c]
    allowed = CLASS_CHARS[fmt_classes[r][c]]
    alts = _alts_at(alternatives, pos)
    out: dict[str, float] = {}
    if current == "<" and fmt_classes[r][c] == "X" and c > 0 and lines[r][c - 1] == "<":
        # fields are left-aligned: a character cannot stand alone inside a run of fillers
        return []
    if alts:
        top = max(p for _, p in alts)
        cur_p = next((p for a, p in alts if a == current), top)
        for a, p in alts:
            if a != current and a in allowed and p > 0:
                out[a] = min(_ALT_COST_CAP, max(0.0, math.log(max(cur_p, 1e-9)) - math.log(p)))
    if not is_digit:
        swap = _SWAPS.get(current)
        if swap is not None and swap in allowed:
            if not alts:
                out[swap] = _SWAP_COST
            elif current in "0O" and not verified:
                out[swap] = _ZERO_O_COST  # the recognizer's O/0 choice follows context: ignore it
            else:
                out.setdefault(swap, _SWAP_COST_UNSEEN)
    return sorted(out.items(), key=lambda kv: kv[1])


def _search(
    targets: list[ResolvedCheck],
    positions: list[Pos],
    digit_positions: set[Pos],
    lines: list[list[str]],
    classes: list[str],
    alternatives: Alternatives | None,
    verified: frozenset[Pos] = frozenset(),
) -> tuple[list[tuple[Pos, str]] | None, bool]:
    """Cheapest unambiguous substitution set making every target check pass.

    Returns ``(changes, ambiguous)``; ``changes`` is ``None`` when nothing was found
    or when the best solution is ambiguous.
    """
    options = [
        (pos, ch, cost)
        for pos in positions
        for ch, cost in _candidates(
            classes, lines, pos, alternatives, pos in digit_positions, verified=pos in verified
        )
    ]
    if not options:
        return None, False
    max_changes = _MAX_CHANGES
    if alternatives is not None:
        options = sorted(options, key=lambda o: o[2])[:_MAX_OPTIONS_OCR]
        max_changes = _MAX_CHANGES_OCR
    strings = ["".join(row) for row in lines]
    solutions: list[tuple[float, list[tuple[Pos, str]]]] = []
    for k in range(1, max_changes + 1):
        for combo in itertools.combinations(options, k):
            if len({o[0] for o in combo}) < k:
                continue
            trial = [list(s) for s in strings]
            for (r, c), ch, _ in combo:
                trial[r][c] = ch
            joined = ["".join(row) for row in trial]
            if all(check_passes(t, joined) for t in targets):
                solutions.append((sum(o[2] for o in combo), [(o[0], o[1]) for o in combo]))
        if solutions and k == 1 and alternatives is None:
            break  # without OCR scores, one change always beats two
    if not solutions:
        return None, False
    solutions.sort(key=lambda s: s[0])
    if len(solutions) > 1 and solutions[1][0] - solutions[0][0] < _AMBIGUITY_MARGIN:
        return None, True
    if alternatives is not None and solutions[0][0] >= _MAX_REPAIR_COST_OCR:
        return None, False
    return solutions[0][1], False


def repair_lines(
    fmt: MrzFormat,
    lines: list[str],
    alternatives: Alternatives | None = None,
    verified: frozenset[Pos] = frozenset(),
) -> RepairResult:
    """Repair ``lines`` (already of the layout's shape) in place of a copy.

    Args:
        fmt: the layout.
        lines: the lines as read, each exactly ``fmt.length`` characters.
        alternatives: optional OCR candidates per line and column, best first.
        verified: positions whose candidates were weighed by glyph comparison
            (``mrz/glyphs.py``): their probabilities are used as they are (no
            ``O``/``0`` prior, no flat ``0``/``O`` swap cost).

    Returns:
        The repaired lines and the list of repairs.
    """
    rows = [list(line) for line in lines]
    repairs: list[Repair] = []
    _class_repair(fmt, rows, alternatives, repairs)
    if alternatives is not None:
        _separator_repair(fmt, rows, alternatives, repairs)
    _filler_repair(fmt, rows, repairs)
    if alternatives is not None:
        _zero_prior(fmt, rows, repairs, verified)
        _filler_tail_repair(fmt, rows, repairs, own_check=True)
    classes = fmt.char_classes()
    ambiguous: list[str] = []

    def current() -> list[str]:
        return ["".join(r) for r in rows]

    checks = resolve_checks(fmt, current())
    individual = [c for c in checks if c.name != "composite"]
    composite = [c for c in checks if c.name == "composite"]
    digit_positions = {c.digit for c in checks}
    for chk in individual:
        if check_passes(chk, current()):
            continue
        changes, amb = _search(
            [chk], list(chk.positions), digit_positions, rows, classes, alternatives, verified
        )
        if amb:
            ambiguous.append(chk.name)
        if changes and _check_digit_changes(repairs) + len(changes) > _MAX_CHANGES_PER_MRZ:
            changes = None  # more substitutions than a repair: likely a chance pass of garbage
        for (r, c), ch in changes or []:
            rows[r][c] = ch
            repairs.append(Repair(r, c, "check_digit"))
    if alternatives is not None:
        _filler_tail_repair(fmt, rows, repairs, own_check=False)
        _filler_run_repair(checks, rows, classes, repairs)
        now = current()
        ambiguous = [a for a in ambiguous if not any(c.name == a and check_passes(c, now) for c in checks)]
    for comp in composite:
        now = current()
        if check_passes(comp, now):
            continue
        locked = {p for c in individual if check_passes(c, now) for p in c.positions}
        failed = [
            c for c in individual if not check_passes(c, now) and set(c.positions) <= set(comp.positions)
        ]
        free = [p for p in comp.positions if p not in locked]
        changes, amb = _search([comp, *failed], free, digit_positions, rows, classes, alternatives, verified)
        if changes and _check_digit_changes(repairs) + len(changes) > _MAX_CHANGES_PER_MRZ:
            changes = None
        if amb:
            ambiguous.append(comp.name)
        else:
            ambiguous = [a for a in ambiguous if a not in {c.name for c in failed}] if changes else ambiguous
        for (r, c), ch in changes or []:
            rows[r][c] = ch
            repairs.append(Repair(r, c, "check_digit"))
    return RepairResult(current(), repairs, ambiguous)
