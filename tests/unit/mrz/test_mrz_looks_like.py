"""A reading counts as an MRZ only when it looks like one (fillers, or most checks pass)."""

from __future__ import annotations

import pytest
from mrz_samples import SPECIMENS

from idstream.mrz.compose import compose_mrz
from idstream.mrz.parse import parse_mrz
from idstream.mrz.read import looks_like_mrz

#: Printed lines of cards without an MRZ, as the constrained recognizer returns them
#: (shapes of what it returned on generated ID cards and US licences: no fillers).
PRINTED_TEXT_READ_AS_MRZ = [
    ["DATEEIJROFFRISSUEW1P2565701077022022", "DATEEJOFTFEXPILRYGYFAP24070070220032"],
    ["REREPUBLIQULUELEAPDEPAVWVALDOCORIELE", "RBREPRPUOUBRBLICGCPJOFPFWVA4ALDJORIA"],
    ["NPRDUJDDOCUMMFENTAIALIBMOSN4OK", "DATETDEDFLIVRANCCAA80101172021", "DATEADYEXPIRATIONIA01011722031"],
]


@pytest.mark.parametrize("layout", sorted(SPECIMENS))
def test_specimen_mrz_looks_like_an_mrz(layout: str) -> None:
    lines, _ = SPECIMENS[layout]
    assert looks_like_mrz(parse_mrz(lines))


@pytest.mark.parametrize("lines", PRINTED_TEXT_READ_AS_MRZ)
def test_printed_text_read_through_the_mrz_alphabet_is_not_an_mrz(lines: list[str]) -> None:
    parse = parse_mrz(lines)
    assert not parse.valid
    assert not looks_like_mrz(parse)


def test_a_badly_read_mrz_with_fillers_is_still_an_mrz() -> None:
    lines, _ = SPECIMENS["TD3"]
    broken = [lines[0], "L898902C37UTO7408123F1204150ZE184226B<<<<<11"]  # three check digits wrong
    parse = parse_mrz(broken, repair=False)
    assert sum(parse.checks.values()) * 2 < len(parse.checks)
    assert looks_like_mrz(parse)


def test_an_mrz_without_fillers_counts_when_its_check_digits_pass() -> None:
    values = {
        "document_type": "ID",
        "issuing_country": "UTO",
        "surname": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "given_names": "ABCDE",
        "document_number": "D23145890",
        "nationality": "UTO",
        "date_of_birth": "740812",
        "sex": "F",
        "date_of_expiry": "120415",
        "optional_data": "ABCDEFG",
    }
    lines = compose_mrz("TD2", values)
    stripped = [line.replace("<", "X") for line in lines]
    parse = parse_mrz(stripped, fmt="TD2", repair=False)
    assert sum(parse.checks.values()) * 2 > len(parse.checks)
    assert looks_like_mrz(parse)
