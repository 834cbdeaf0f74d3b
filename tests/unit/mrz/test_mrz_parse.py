from __future__ import annotations

import random
from datetime import date

import pytest
from mrz_samples import SPECIMENS, random_mrz, td3_with_number

from idstream.mrz.checkdigit import check_digit
from idstream.mrz.compose import compose_mrz
from idstream.mrz.fields import decode_date, decode_name, mrz_fields, mrz_values
from idstream.mrz.formats import FORMATS, detect_format, format_by_name
from idstream.mrz.parse import parse_mrz

TODAY = date(2026, 11, 25)


def test_check_digit_icao_examples() -> None:
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("ZE184226B<<<<<") == "1"
    assert check_digit("L898902C36" + "7408122" + "1204159ZE184226B<<<<<1") == "0"


@pytest.mark.parametrize("layout", sorted(SPECIMENS))
def test_icao_specimens_parse_valid(layout: str) -> None:
    lines, expected = SPECIMENS[layout]
    parse = parse_mrz(lines)
    assert parse.format == layout
    assert parse.valid
    assert parse.repairs == []
    assert parse.checks == parse.checks_before_repair
    values = mrz_values(parse, today=TODAY)
    for name, value in expected.items():
        assert values[name] == value, name


def test_specimen_to_dict_shape() -> None:
    data = parse_mrz(SPECIMENS["TD3"][0]).to_dict(today=TODAY)
    assert set(data) == {"format", "lines", "repaired_lines", "valid", "checks", "checks_before_repair",
                         "repairs", "fields"}  # fmt: skip
    assert data["checks"] == {"document_number": True, "date_of_birth": True, "date_of_expiry": True,
                              "personal_number": True, "composite": True}  # fmt: skip


@pytest.mark.parametrize("layout", sorted(FORMATS))
def test_generated_mrzs_are_valid_and_detected(layout: str) -> None:
    rng = random.Random(layout)
    for _ in range(50):
        lines = random_mrz(layout, rng)
        assert all(len(line) == FORMATS[layout].length for line in lines)
        assert detect_format(lines) is FORMATS[layout]
        parse = parse_mrz(lines)
        assert parse.valid, (layout, parse.checks)
        assert parse.repaired_lines == lines


@pytest.mark.parametrize("layout", sorted(FORMATS))
def test_every_check_detects_a_wrong_digit(layout: str) -> None:
    lines = random_mrz(layout, random.Random(7))
    fmt = format_by_name(layout)
    for spec in fmt.checks:
        r, c = spec.digit
        wrong = str((int(lines[r][c]) + 1) % 10) if lines[r][c].isdigit() else "1"
        bad = list(lines)
        bad[r] = bad[r][:c] + wrong + bad[r][c + 1 :]
        parse = parse_mrz(bad, repair=False)
        assert parse.checks[spec.name] is False, spec.name


def test_letter_in_date_is_repaired_by_class() -> None:
    lines = list(SPECIMENS["TD3"][0])
    lines[1] = lines[1][:13] + "74O8I2" + lines[1][19:]
    parse = parse_mrz(lines)
    assert parse.checks_before_repair["date_of_birth"] is False
    assert parse.checks["date_of_birth"] is True
    assert parse.repaired_lines == SPECIMENS["TD3"][0]
    assert {r.kind for r in parse.repairs} == {"class"}


def test_digit_in_country_code_and_name_is_repaired_by_class() -> None:
    lines = list(SPECIMENS["TD3"][0])
    lines[0] = "P<UT0ERIK5SON" + lines[0][13:]
    parse = parse_mrz(lines)
    assert parse.repaired_lines[0] == SPECIMENS["TD3"][0][0]


_SWAPS = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z", "Z": "2"}


@pytest.mark.parametrize("layout", ["TD1", "TD2", "TD3", "MRV-A", "MRV-B"])
def test_single_confusion_in_document_number_repaired_or_left_failed(layout: str) -> None:
    rng = random.Random(f"swap-{layout}")
    fmt = format_by_name(layout)
    spec = fmt.field("document_number")
    assert spec is not None
    repaired = ambiguous = 0
    for _ in range(200):
        lines = random_mrz(layout, rng)
        cols = [c for c in range(spec.start, spec.end) if lines[spec.line][c] in _SWAPS]
        if not cols:
            continue
        c = rng.choice(cols)
        bad = list(lines)
        row = bad[spec.line]
        bad[spec.line] = row[:c] + _SWAPS[row[c]] + row[c + 1 :]
        parse = parse_mrz(bad)
        assert parse.checks_before_repair["document_number"] is False
        if parse.checks["document_number"]:
            # Never "repaired" into something else than the original.
            assert parse.repaired_lines == lines
            repaired += 1
        else:
            assert "document_number" in parse.ambiguous
            assert parse.repaired_lines[spec.line] == bad[spec.line]
            ambiguous += 1
    assert repaired > 0
    assert repaired >= ambiguous


def test_ambiguous_repair_is_not_applied() -> None:
    # Both swaps O->0 at column 1 and I->1 at column 5 would satisfy the check: leave it.
    rng = random.Random(3)
    found = False
    for _ in range(5000):
        number = "".join(rng.choice("0O1I5S8B") for _ in range(9))
        base = td3_with_number(number)
        c = rng.randrange(9)
        bad = list(base)
        bad[1] = bad[1][:c] + _SWAPS[bad[1][c]] + bad[1][c + 1 :]
        parse = parse_mrz(bad)
        if "document_number" in parse.ambiguous:
            found = True
            assert parse.checks["document_number"] is False
            assert parse.repaired_lines[1][:10] == bad[1][:10]
            assert parse.valid is False
            break
    assert found


def test_ocr_alternatives_choose_among_candidates() -> None:
    lines = list(SPECIMENS["TD3"][0])
    # The recognizer read '8' at column 2 ("L8..." -> "L3...") with '8' as its second guess.
    bad = [lines[0], lines[1][:2] + "3" + lines[1][3:]]
    alts: list[list[list[tuple[str, float]]]] = [[[(ch, 0.99)] for ch in line] for line in bad]
    alts[1][2] = [("3", 0.6), ("8", 0.35), ("9", 0.05)]
    parse = parse_mrz(bad, alternatives=alts)
    assert parse.checks_before_repair["document_number"] is False
    assert parse.valid
    assert parse.repaired_lines == lines


def test_td1_long_document_number() -> None:
    values = {"document_code": "I<", "issuing_country": "UTO", "document_number": "D23145890AB12",
              "date_of_birth": "740812", "sex": "F", "date_of_expiry": "300415", "nationality": "UTO",
              "name": "ERIKSSON<<ANNA"}  # fmt: skip
    lines = compose_mrz("TD1", values)
    assert lines[0][14] == "<"
    parse = parse_mrz(lines)
    assert parse.valid
    assert mrz_values(parse, today=TODAY)["document_number"] == "D23145890AB12"


def test_fr_id_layout() -> None:
    lines = random_mrz("FR-ID", random.Random(11))
    parse = parse_mrz(lines)
    assert parse.format == "FR-ID"
    assert parse.valid
    values = mrz_values(parse, today=TODAY)
    assert values["issuing_country"] == "FRA"
    assert len(values["document_number"]) == 12


def test_unknown_shape_raises() -> None:
    with pytest.raises(ValueError, match="no MRZ layout"):
        parse_mrz(["ABC", "DEF"])
    with pytest.raises(ValueError, match="unknown MRZ format"):
        format_by_name("TD9")


def test_short_lines_padded_to_layout() -> None:
    lines = SPECIMENS["TD3"][0]
    parse = parse_mrz([lines[0].rstrip("<"), lines[1]], fmt="TD3")
    assert parse.repaired_lines == lines


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("740812", "birth", date(1974, 8, 12)),
        ("250101", "birth", date(2025, 1, 1)),
        ("261231", "birth", date(1926, 12, 31)),
        ("000229", "birth", date(2000, 2, 29)),
        ("350101", "expiry", date(2035, 1, 1)),
        ("120415", "expiry", date(2012, 4, 15)),
        ("991231", "expiry", date(1999, 12, 31)),
        ("561231", "expiry", date(2056, 12, 31)),
        ("571231", "expiry", date(1957, 12, 31)),
        ("741332", "birth", None),
        ("74<<<<", "birth", None),
    ],
)
def test_century_resolution(raw: str, kind: str, expected: date | None) -> None:
    assert decode_date(raw, kind, TODAY) == expected


def test_decode_name() -> None:
    assert decode_name("ERIKSSON<<ANNA<MARIA<<<<<") == ("ERIKSSON", "ANNA MARIA")
    assert decode_name("VAN<DER<BERG<<JAN<<<<") == ("VAN DER BERG", "JAN")
    assert decode_name("ONLYSURNAME<<<<<<") == ("ONLYSURNAME", "")


def test_mrz_fields_confidence_and_source() -> None:
    parse = parse_mrz(SPECIMENS["TD3"][0])
    conf = [[0.8] * 44, [0.8] * 44]
    fields = mrz_fields(parse, today=TODAY, char_confidences=conf)
    assert all(f.source == "mrz" for f in fields.values())
    assert fields["document_number"].confidence == pytest.approx(0.98)  # check digit passed
    assert fields["surname"].confidence == pytest.approx(0.8)  # no check digit covers names
    assert fields["sex"].value == "F"


def test_a_filler_dropped_after_the_document_code_is_put_back() -> None:
    from idstream.mrz.parse import parse_mrz

    truth = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    # column 1 lost, and the nationality read with a zero
    read = [truth[0] + truth[2:] + "<", "L898902C36UT07408122F1204159ZE184226B<<<<<10"]
    parse = parse_mrz(read)
    assert parse.repaired_lines[0] == "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    assert parse.fields["issuing_country"] == "UTO"
    assert any(r.line == 0 and r.column == 1 for r in parse.repairs)


def test_a_two_letter_document_code_is_left_alone() -> None:
    from idstream.mrz.parse import parse_mrz

    lines = ["PDUTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    assert parse_mrz(lines).repaired_lines[0] == lines[0]
