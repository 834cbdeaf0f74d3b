"""The cause attached to each field missed from pixels by ``bench.ie pipeline``."""

from __future__ import annotations

import pytest

from idstream.graph_ie.evaluate import MISS_CAUSES, miss_cause

SEGMENTS = ["REPUBLIC OF UTOPIA", "Surname", "SEYMA", "15 SEX M", "DOCUMENT NO", "A8O12345", "12/07/1986"]


@pytest.mark.parametrize(
    ("truth", "got", "source", "printed", "cause"),
    [
        ("ŞEYMA", "SEYMA", "visual", ["ŞEYMA"], "diacritics_only"),
        ("M", "", "", ["M"], "label_merged"),  # read as "15 SEX M"
        ("A8012345", "A8O12345", "visual", ["A8012345"], "ocr_misread"),
        ("1986-07-12", "", "", ["12/07/1986"], "ie_wrong_segment"),  # read right, not extracted
        ("DOE", "D0E", "mrz", ["DOE"], "mrz"),
        ("REPUBLIC UTOPIA", "", "", ["REPUBLIC UTOPIA"], "split"),
    ],
)
def test_miss_cause(truth: str, got: str, source: str, printed: list[str], cause: str) -> None:
    assert cause in MISS_CAUSES
    assert miss_cause(truth, got, source, printed, SEGMENTS) == cause


def test_no_text_and_single_letters_need_whole_words() -> None:
    assert miss_cause("F", "", "", ["F"], ["OF"]) == "no_text"
    # "M" inside "MARIA" is no label+value segment
    assert (
        miss_cause("M", "", "", ["M"], ["REPUBLIC OF UTOPIA", "ANNA MARIA", "DATE OF BIRTH"]) == "ocr_misread"
    )
