"""Which MRZ readings the pipeline takes field values from (no OCR, no model)."""

from __future__ import annotations

from idstream.mrz.parse import parse_mrz
from idstream.mrz.read import MrzReading
from idstream.pipeline import _verified_mrz_fields

# ICAO Doc 9303 specimen (TD3)
SPECIMEN = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def reading(lines: list[str]) -> MrzReading:
    parse = parse_mrz(lines, repair=False)
    return MrzReading(parse=parse, confidences=[[0.99] * len(x) for x in lines], boxes=[])


def test_a_verified_mrz_gives_its_fields() -> None:
    fields = _verified_mrz_fields(reading(SPECIMEN))
    assert fields["surname"].value == "ERIKSSON"
    assert fields["document_number"].source == "mrz"


def test_an_mrz_failing_its_composite_check_gives_none() -> None:
    # MRZ-like text read where a card has none, or a real MRZ misread: not a source of values
    broken = [SPECIMEN[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<19"]
    r = reading(broken)
    assert not r.parse.checks["composite"]
    assert r.fields()  # the reading has fields...
    assert _verified_mrz_fields(r) == {}  # ...which the merge does not use
