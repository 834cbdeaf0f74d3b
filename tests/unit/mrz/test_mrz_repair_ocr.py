"""Repair with OCR alternatives (the reading path): priors, fillers, separators, safety."""

from __future__ import annotations

import random

import pytest
from mrz_samples import SPECIMENS, random_mrz, td3_with_number

from idstream.mrz.formats import format_by_name
from idstream.mrz.parse import parse_mrz

TD3 = SPECIMENS["TD3"][0]


def sure(lines: list[str]) -> list[list[list[tuple[str, float]]]]:
    """Alternatives of a confident reader: each character read with probability 0.99."""
    return [[[(ch, 0.99)] for ch in line] for line in lines]


def test_separator_read_as_letters_is_restored() -> None:
    bad = [TD3[0].replace("ERIKSSON<<ANNA", "ERIKSSONKKANNA"), TD3[1]]
    alts = sure(bad)
    alts[0][13] = [("K", 0.8), ("<", 0.18)]
    alts[0][14] = [("K", 0.65), ("<", 0.34)]
    parse = parse_mrz(bad, alternatives=alts)
    assert parse.repaired_lines[0] == TD3[0]


def test_separator_not_invented_without_recognizer_doubt() -> None:
    bad = [TD3[0].replace("ERIKSSON<<ANNA", "ERIKSSONKKANNA"), TD3[1]]
    parse = parse_mrz(bad, alternatives=sure(bad))
    assert parse.repaired_lines[0] == bad[0]


def test_zero_prior_in_document_number_and_flip_back() -> None:
    lines = td3_with_number("AB10O0456")
    # the reader saw both O/0 glyphs as O: the prior reads them as 0, the check digit restores the O
    read = [lines[0], lines[1][:3] + "OO" + lines[1][5:]]
    parse = parse_mrz(read, alternatives=sure(read))
    assert parse.checks_before_repair["document_number"] is False
    assert parse.repaired_lines == lines
    assert {r.kind for r in parse.repairs} >= {"prior"}


def test_no_character_invented_inside_a_filler_run() -> None:
    # personal number "2E184226B": the true fix is 2 -> Z, which the reader did not propose;
    # turning a filler into "4" would satisfy the check digit but is structurally impossible.
    read = [TD3[0], TD3[1][:28] + "2" + TD3[1][29:]]
    alts = sure(read)
    alts[1][39] = [("<", 0.976), ("4", 0.02)]
    alts[1][38] = [("<", 0.95), ("4", 0.046)]
    parse = parse_mrz(read, alternatives=alts)
    assert parse.repaired_lines[1][37:42] == "<<<<<"
    if parse.checks["personal_number"]:
        assert parse.repaired_lines == TD3


def test_filler_lookalikes_restored_when_the_check_digit_agrees() -> None:
    lines = SPECIMENS["TD1"][0]
    # "<" read as "4" and "K" (K is worth 20: invisible to the check digits, the 4 is not)
    read = [lines[0], lines[1][:20] + "4<<K" + lines[1][24:], lines[2]]
    parse = parse_mrz(read, alternatives=sure(read))
    assert parse.checks_before_repair["composite"] is False
    assert parse.repaired_lines == lines
    assert any(r.kind == "filler" for r in parse.repairs)


_LOOKALIKE = {"1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z", "Z": "2"}


@pytest.mark.parametrize("layout", ["TD1", "TD2", "TD3", "MRV-A", "MRV-B"])
def test_generated_confusions_with_ocr_alternatives_are_repaired_exactly(layout: str) -> None:
    """A look-alike read in the document number, the truth among the OCR alternatives: every
    layout gets the original back, and a repair never produces another valid MRZ.

    Numbers with the letter O are left out: without glyphs, the O/0 prior reads them as 0
    first, and two such flips at columns weighted 7 and 3 are invisible to the check digit
    (``read_mrz`` compares those glyphs with the document's own prints instead).
    """
    rng = random.Random(f"ocr-{layout}")
    spec = format_by_name(layout).field("document_number")
    assert spec is not None
    done = 0
    for _ in range(60):
        lines = random_mrz(layout, rng)
        if "O" in lines[spec.line][spec.start :]:
            continue
        cols = [c for c in range(spec.start, spec.end) if lines[spec.line][c] in _LOOKALIKE]
        if not cols:
            continue
        c = rng.choice(cols)
        right = lines[spec.line][c]
        bad = list(lines)
        bad[spec.line] = bad[spec.line][:c] + _LOOKALIKE[right] + bad[spec.line][c + 1 :]
        alts = sure(bad)
        alts[spec.line][c] = [(_LOOKALIKE[right], 0.7), (right, 0.3)]
        parse = parse_mrz(bad, alternatives=alts)
        assert parse.checks_before_repair["document_number"] is False
        assert parse.valid, (layout, bad)
        assert parse.repaired_lines == lines
        done += 1
    assert done >= 20


def test_check_digit_repair_changes_at_most_two_characters_per_mrz() -> None:
    # three checked fields misread by one digit each: each alone is repairable, but a reading
    # that needs three substitutions is left failed rather than validated by search
    read = [TD3[0], TD3[1][:13] + "740813" + TD3[1][19:21] + "120416" + TD3[1][27:]]
    read[1] = read[1][:7] + "G" + read[1][8:]
    alts = sure(read)
    alts[1][7] = [("G", 0.7), ("C", 0.3)]
    alts[1][18] = [("3", 0.7), ("2", 0.3)]
    alts[1][26] = [("6", 0.7), ("5", 0.3)]
    parse = parse_mrz(read, alternatives=alts)
    assert sum(1 for r in parse.repairs if r.kind == "check_digit") == 2
    assert not parse.valid
    # with two of the three misread, both are repaired
    fixed_two = [read[0], read[1][:26] + "5" + read[1][27:]]
    two = parse_mrz(fixed_two, alternatives=alts)
    assert two.valid and two.repaired_lines == TD3
