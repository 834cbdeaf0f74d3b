"""Look-alikes settled by comparing glyphs within the same MRZ (no recognizer needed)."""

from __future__ import annotations

import cv2
import numpy as np

from idstream.mrz.compose import compose_mrz
from idstream.mrz.formats import format_by_name
from idstream.mrz.glyphs import GlyphEvidence, _grid, compare_glyphs, line_glyphs
from idstream.mrz.parse import MrzParse, parse_mrz
from idstream.mrz.validate import resolve_checks

CELL = 26  # pixels per character: MRZ fonts are monospaced
FRAME = 4  # pixels per recognizer frame

VALUES = {"document_code": "P<", "issuing_country": "UTO", "document_number": "W5WL73BKW",
          "date_of_birth": "740206", "date_of_expiry": "250114", "sex": "F", "nationality": "UTO",
          "name": "HARRIS<<DAVID<ZEPHYR"}  # fmt: skip


def _render(line: str) -> np.ndarray:
    """One MRZ line, one character per cell, dark on light, 40 px high."""
    crop = np.full((40, CELL * (len(line) + 2)), 235, np.uint8)
    for i, ch in enumerate(line):
        (w, _), _ = cv2.getTextSize(ch, cv2.FONT_HERSHEY_SIMPLEX, 0.9, 2)
        x = CELL * (i + 1) + (CELL - w) // 2
        cv2.putText(crop, ch, (x, 31), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 25, 2, cv2.LINE_AA)
    return crop


def _spans(line: str) -> list[tuple[int, int]]:
    centres = [(CELL * (i + 1) + CELL // 2) // FRAME for i in range(len(line))]
    return [(c, c) for c in centres]


def _evidence(
    truth: list[str], read: list[str], alternatives: list[list[list[tuple[str, float]]]]
) -> tuple[MrzParse, GlyphEvidence]:
    fmt = format_by_name("TD3")
    first = parse_mrz(read, alternatives=alternatives)
    glyphs = [line_glyphs(_render(t), _spans(t), _render(t).shape[1] // FRAME) for t in truth]
    failing = {
        p for c in resolve_checks(fmt, first.repaired_lines) if not first.checks[c.name] for p in c.positions
    }
    return first, compare_glyphs(
        fmt,
        first.repaired_lines,
        read,
        alternatives,
        [[p[0][1] for p in line] for line in alternatives],
        glyphs,
        sorted(failing),
    )


def _sure(lines: list[str]) -> list[list[list[tuple[str, float]]]]:
    return [[[(ch, 0.99)] for ch in line] for line in lines]


def test_grid_fit_ignores_a_misplaced_span() -> None:
    spans = [(10 * i + 5, 10 * i + 5) for i in range(20)]
    spans[7] = (200, 200)  # a CTC spike far from its character
    grid = _grid(spans, 2.0)
    assert grid is not None
    x0, pitch = grid
    assert abs(pitch - 20.0) < 0.5 and abs(x0 - 11.0) < 1.0


def test_every_character_gets_a_glyph_and_a_print_matches_itself_best() -> None:
    line = compose_mrz("TD3", VALUES)[1]
    glyphs = line_glyphs(_render(line), _spans(line), _render(line).shape[1] // FRAME)
    assert len(glyphs) == 44 and all(g is not None for g in glyphs.glyphs)
    five, other = glyphs.glyphs[1], glyphs.glyphs[22]  # the "5" of the number and of the expiry date
    assert five is not None and other is not None
    assert float((five * other).sum()) > 0.9


def test_a_digit_read_as_its_lookalike_letter_is_settled_by_the_documents_own_prints() -> None:
    truth = compose_mrz("TD3", VALUES)
    # the recognizer read the 5 of the number as S, confidently: the check digit alone cannot
    # say which character is wrong, the document's own 5s (dates) and Ss (name) can
    read = [truth[0], truth[1][:1] + "S" + truth[1][2:]]
    alts = _sure(read)
    alts[1][1] = [("S", 0.999), ("5", 0.001)]
    first, evidence = _evidence(truth, read, alts)
    assert not first.valid
    best = evidence.alternatives[1][1][0][0]
    assert best == "5"
    again = parse_mrz(read, alternatives=evidence.alternatives, verified=frozenset(evidence.verified))
    assert again.valid and again.repaired_lines == truth


def test_a_candidate_without_references_wins_when_the_glyph_matches_no_reference() -> None:
    values = dict(VALUES, document_number="WZWL73BKW", name="HARRIS<<DAVID")  # no Z elsewhere
    truth = compose_mrz("TD3", values)
    read = [truth[0], truth[1][:1] + "2" + truth[1][2:]]
    alts = _sure(read)
    alts[1][1] = [("2", 0.9), ("Z", 0.1)]  # the recognizer proposed Z, but prefers 2
    fmt = format_by_name("TD3")
    glyphs = [line_glyphs(_render(t), _spans(t), _render(t).shape[1] // FRAME) for t in truth]
    evidence = compare_glyphs(fmt, read, read, alts, [[0.99] * 44] * 2, glyphs, [(1, 1)])
    probs = dict(evidence.alternatives[1][1])
    assert probs["Z"] > probs["2"]
    assert (1, 1) not in evidence.verified  # Z has no reference: the O/0-style prior is not overridden


def test_positions_outside_the_request_are_left_alone() -> None:
    truth = compose_mrz("TD3", VALUES)
    alts = _sure(truth)
    fmt = format_by_name("TD3")
    glyphs = [line_glyphs(_render(t), _spans(t), _render(t).shape[1] // FRAME) for t in truth]
    evidence = compare_glyphs(fmt, truth, truth, alts, [[0.99] * 44] * 2, glyphs, [])
    assert evidence.alternatives == alts and not evidence.verified
