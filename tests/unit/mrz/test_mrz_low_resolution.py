"""Low-resolution MRZ failure classes: filler runs read as digits, letters in dates,
the O/0 prior against a passing check, characters invented in a crop's padding."""

from __future__ import annotations

import random

import numpy as np
from mrz_samples import SPECIMENS, random_mrz, td3_with_number

from idstream.mrz.checkdigit import MRZ_ALPHABET, check_digit
from idstream.mrz.formats import format_by_name
from idstream.mrz.parse import parse_mrz
from idstream.mrz.read import _mask_margins
from idstream.mrz.recognize import MrzRecognizer
from idstream.mrz.validate import check_passes, evaluate_checks, resolve_checks

TD1 = SPECIMENS["TD1"][0]
TD3 = SPECIMENS["TD3"][0]


def sure(lines: list[str]) -> list[list[list[tuple[str, float]]]]:
    return [[[(ch, 0.99)] for ch in line] for line in lines]


def _empty_personal_number_td3(rng: random.Random) -> list[str]:
    while True:
        lines = random_mrz("TD3", rng)
        if lines[1][28:42] == "<" * 14:
            return lines


# --- filler runs read as 4/8/K/2 -------------------------------------------------------


def test_filler_tail_of_an_empty_personal_number_is_restored() -> None:
    rng = random.Random("tail")
    done = 0
    for _ in range(200):
        lines = _empty_personal_number_td3(rng)
        # the padding read as a run of look-alikes after three fillers (as at 6-8 px)
        junk = "".join(rng.choice("48K2<") for _ in range(10))
        read = [lines[0], lines[1][:31] + junk + "<" + lines[1][42:]]
        if read == lines:
            continue
        parse = parse_mrz(read, alternatives=sure(read))
        if parse.checks_before_repair["personal_number"]:
            continue  # the junk passes the check digit by chance: nothing to repair
        assert parse.repaired_lines == lines
        assert parse.valid
        assert {r.kind for r in parse.repairs} == {"filler"}
        done += 1
        if done == 20:
            break
    assert done == 20


def test_filler_tail_keeps_real_data_and_ends_it_at_the_filler() -> None:
    # personal number "ZE184226B<<<<<" read as "ZE184226B<244<": the data ends at the first filler
    read = [TD3[0], TD3[1][:37] + "<244<" + TD3[1][42:]]
    parse = parse_mrz(read, alternatives=sure(read))
    assert parse.checks_before_repair["personal_number"] is False
    assert parse.repaired_lines == TD3


def test_filler_tail_not_applied_when_the_tail_holds_other_characters() -> None:
    # "A" is no filler look-alike: the data may really continue, the check stays failed
    read = [TD3[0], TD3[1][:37] + "<2A4<" + TD3[1][42:]]
    parse = parse_mrz(read, alternatives=sure(read))
    assert parse.repaired_lines[1][37:42] == "<2A4<"
    assert parse.checks["personal_number"] is False


def test_filler_tail_not_applied_when_several_cuts_validate() -> None:
    # Find a personal number "D<X<<<..." where both cuts ("D<<<..." and "D<X<<...")
    # validate with some check digit: the repair must not choose between them.
    for d in "0123456789":
        for x in "48K2":
            data = "1" + d + "<" + x + "<" * 10
            cut_all, keep = "1" + d + "<" * 12, data
            fmt = format_by_name("TD3")
            base = TD3[1][:28]
            for digit in "0123456789":
                a = [TD3[0], base + cut_all + digit + "0"]
                b = [TD3[0], base + keep[:3] + x + "<" * 10 + digit + "0"]
                chk = next(c for c in resolve_checks(fmt, a) if c.name == "personal_number")
                if check_passes(chk, a) and check_passes(chk, b):
                    read = [TD3[0], base + "1" + d + "<" + x + "<" + x + "<" * 8 + digit + "0"]
                    parse = parse_mrz(read, alternatives=sure(read))
                    assert not any(r.kind == "filler" and r.line == 1 for r in parse.repairs)
                    return
    raise AssertionError("no ambiguous example found")  # pragma: no cover


def test_filler_tails_of_composite_only_fields_restored_jointly() -> None:
    lines = TD1
    fmt = format_by_name("TD1")
    done = 0
    # TD1 optional data 1 and 2 (covered by the composite only) read with look-alikes
    for junk1 in ("4<<K", "8<4<", "K<2<", "4<8<"):
        for junk2 in ("48", "2<4", "K8", "8<<2"):
            a = lines[0][:22] + junk1 + lines[0][22 + len(junk1) :]
            b = lines[1][:20] + junk2 + lines[1][20 + len(junk2) :]
            read = [a, b, lines[2]]
            partial = ([a, lines[1], lines[2]], [lines[0], b, lines[2]], read)
            if any(evaluate_checks(fmt, x)["composite"] for x in partial):
                continue  # a partial restoration also validates: ambiguous, left as read
            parse = parse_mrz(read, alternatives=sure(read))
            assert parse.repaired_lines == lines
            assert all(r.kind == "filler" for r in parse.repairs)
            done += 1
    assert done >= 4


def test_filler_tail_is_not_applied_without_ocr_alternatives() -> None:
    read = [TD3[0], TD3[1][:37] + "<244<" + TD3[1][42:]]
    parse = parse_mrz(read)
    assert parse.repaired_lines[1][37:42] == "<244<"


# --- a letter in a date never validates ---------------------------------------------------


def test_a_letter_in_a_date_fails_its_check_even_when_the_sum_matches() -> None:
    fmt = format_by_name("TD3")
    lines = list(TD3)
    # a letter worth the digit plus a multiple of 10 (N = 23 for 3) keeps the weighted sum
    dob = next(c for c in resolve_checks(fmt, lines) if c.name == "date_of_birth")
    for col in range(13, 19):
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            trial = [lines[0], lines[1][:col] + letter + lines[1][col + 1 :]]
            data = "".join(trial[1][c] for _, c in dob.data)
            if check_digit(data) == trial[1][19]:
                assert evaluate_checks(fmt, trial)["date_of_birth"] is False
                return
    raise AssertionError("no letter keeps the digit")  # pragma: no cover


def test_letters_in_dates_without_a_lookalike_leave_the_mrz_invalid() -> None:
    read = [TD3[0], TD3[1][:17] + "N" + TD3[1][18:]]
    parse = parse_mrz(read, alternatives=[[[(ch, 0.99)] for ch in line] for line in read])
    assert parse.checks["date_of_birth"] is False
    assert not parse.valid


# --- the O/0 prior does not break a check that passes as read -----------------------------


def test_zero_prior_skipped_when_the_number_validates_with_the_letter() -> None:
    lines = td3_with_number("ZG0ORCXVZ")
    parse = parse_mrz(lines, alternatives=sure(lines))
    assert parse.repaired_lines == lines
    assert not any(r.kind == "prior" for r in parse.repairs)


def test_zero_prior_still_applied_when_the_digit_is_what_validates() -> None:
    lines = td3_with_number("AB1000456")
    read = [lines[0], lines[1][:3] + "O" + lines[1][4:]]
    parse = parse_mrz(read, alternatives=sure(read))
    assert parse.repaired_lines == lines
    assert any(r.kind == "prior" for r in parse.repairs)


# --- characters in the crop's padding -------------------------------------------------------


def _line_logp(text: str, frames_per_char: int, lead: int, tail: int, junk: str | None) -> np.ndarray:
    """Frame posteriors of a line: ``lead`` padding frames (with a confident ``junk``
    character in the first two), each character over ``frames_per_char`` frames with
    a blank after it, ``tail`` padding frames."""
    k = len(MRZ_ALPHABET) + 1
    rows: list[int] = [0] * lead
    merged: list[bool] = [False] * lead
    if junk is not None:
        rows[0:2] = [MRZ_ALPHABET.index(junk) + 1] * 2
    for i, ch in enumerate(text):
        label = MRZ_ALPHABET.index(ch) + 1
        # a run of equal characters without blanks in between (as blurred "00000" reads)
        run = i + 1 < len(text) and text[i + 1] == ch
        sep = 0 if run else 1
        rows += [label] * (frames_per_char - sep) + [0] * sep
        merged += [run] * frames_per_char
    rows += [0] * tail
    merged += [False] * tail
    probs = np.full((len(rows), k), 0.002)
    for t, label in enumerate(rows):
        probs[t, label] = 0.9
        if merged[t]:
            probs[t, 0] = 0.08  # inside the run, the blank is the recognizer's second choice
    probs /= probs.sum(axis=1, keepdims=True)
    return np.asarray(np.log(probs), dtype=np.float32)


def test_margin_mask_keeps_a_junk_character_out_of_a_fixed_length_line() -> None:
    text = "XA00000148"
    margin_frames, fpc, px = 6, 4, 4.0
    lp = _line_logp(text, fpc, lead=margin_frames, tail=margin_frames, junk="K")
    width = int(lp.shape[0] * px)
    margin = margin_frames * px
    plain = MrzRecognizer.decode(lp, len(text))
    masked = MrzRecognizer.decode(_mask_margins(lp, width, margin, len(text)), len(text))
    assert plain is not None and masked is not None
    assert plain.text != text  # the junk is counted and a zero of the run is dropped
    assert masked.text == text


def test_margin_mask_leaves_characters_at_the_box_edge_alone() -> None:
    text = "P<UTOERIKSSON"
    lp = _line_logp(text, 4, lead=6, tail=6, junk=None)
    width = lp.shape[0] * 4
    masked = _mask_margins(lp, width, 6 * 4.0, len(text))
    assert np.array_equal(masked[6:-6], lp[6:-6])
    out = MrzRecognizer.decode(masked, len(text))
    assert out is not None and out.text == text
