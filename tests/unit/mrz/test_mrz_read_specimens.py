"""Reading the ICAO specimen pages end to end (needs the EasyOCR weights: slow)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

SPECIMENS = Path("/work/shared/datasets/passport-specimens")
MRZ_FIELDS = (
    "document_type", "issuing_country", "document_number", "surname", "given_names",
    "nationality", "date_of_birth", "sex", "date_of_expiry", "personal_number",
)  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SPECIMENS / "truth.json").exists(), reason="specimen data set not available"),
]


@pytest.mark.parametrize("name", ["passport-td3.jpg", "passport-td2.jpg"])
def test_specimen_mrz_read_exactly(name: str) -> None:
    cv2 = pytest.importorskip("cv2")
    from idstream.mrz.read import read_mrz

    truth = json.loads((SPECIMENS / "truth.json").read_text())[name]
    reading = read_mrz(cv2.imread(str(SPECIMENS / name)))
    assert reading is not None
    assert reading.parse.repaired_lines == truth["mrz"]
    assert reading.parse.valid
    values = reading.to_dict(today=date(2026, 1, 1))["fields"]
    for key in MRZ_FIELDS:
        if truth["fields"].get(key) is not None:
            assert values.get(key) == truth["fields"][key], key
    fields = reading.fields(today=date(2026, 1, 1))
    assert all(f.source == "mrz" for f in fields.values())
    assert len(reading.boxes) == len(truth["mrz"])


def test_transport_round_trip() -> None:
    cv2 = pytest.importorskip("cv2")
    from idstream.mrz.read import read_mrz
    from idstream.mrz.transport import reading_from_transport, reading_to_transport

    reading = read_mrz(cv2.imread(str(SPECIMENS / "passport-td2.jpg")))
    assert reading is not None
    data = json.loads(json.dumps(reading_to_transport(reading)))
    again = reading_from_transport(data)
    assert again.to_dict(today=date(2026, 1, 1)) == reading.to_dict(today=date(2026, 1, 1))
