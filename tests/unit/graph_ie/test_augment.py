"""Training-time variation of annotations and SROIE line labelling (no torch)."""

from __future__ import annotations

import random

from idstream.document import Segment
from idstream.graph_ie.augment import augment_document, noisy_text, shuffle_fields
from idstream.graph_ie.dataset import LabeledDocument, label_sroie_lines


def seg(text: str, x0: float, y0: float, x1: float, y1: float) -> Segment:
    return Segment(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), 1.0)


def doc() -> LabeledDocument:
    segs = [
        seg("Surname:", 10, 10, 90, 30),
        seg("DOE", 100, 10, 150, 30),
        seg("Date of birth", 10, 50, 130, 70),
        seg("12.08.1974", 10, 75, 120, 95),
        seg("P<UTODOE<<JOHN<<<<", 10, 150, 300, 170),
    ]
    labels = ["other", "surname", "other", "date_of_birth", "mrz"]
    return LabeledDocument("t", segs, (320, 180), labels, {"surname": "DOE", "date_of_birth": "1974-08-12"})


def test_merge_label_with_value_on_the_same_line() -> None:
    out = augment_document(
        doc(), random.Random(0), merge=1.0, split=0.0, char_rate=0.0, jitter=0.0, scale=0.0
    )
    assert "Surname: DOE" in [s.text for s in out.segments]
    assert out.labels[[s.text for s in out.segments].index("Surname: DOE")] == "surname"
    assert "P<UTODOE<<JOHN<<<<" in [s.text for s in out.segments]  # MRZ lines untouched
    assert out.fields == doc().fields


def test_split_words_keeps_labels() -> None:
    out = augment_document(
        doc(), random.Random(0), merge=0.0, split=1.0, char_rate=0.0, jitter=0.0, scale=0.0
    )
    texts = [s.text for s in out.segments]
    assert {"Date", "of", "birth"} <= set(texts)
    assert len(out.segments) == len(out.labels)


def test_noisy_text_rate() -> None:
    rng = random.Random(1)
    assert noisy_text("ABCDEF", rng, 0.0) == "ABCDEF"
    changed = sum(noisy_text("0O1I5S8B" * 4, rng, 0.5) != "0O1I5S8B" * 4 for _ in range(20))
    assert changed > 15


def test_shuffle_moves_label_value_pairs_together() -> None:
    d = doc()
    out = shuffle_fields(d, random.Random(3), share=1.0)
    # Each value keeps the same offset to its printed label.
    for value, label in ((1, 0), (3, 2)):
        before = (d.segments[value].quad[0][0] - d.segments[label].quad[0][0],
                  d.segments[value].quad[0][1] - d.segments[label].quad[0][1])  # fmt: skip
        after = (out.segments[value].quad[0][0] - out.segments[label].quad[0][0],
                 out.segments[value].quad[0][1] - out.segments[label].quad[0][1])  # fmt: skip
        assert before == after
    assert out.segments[1].quad != d.segments[1].quad  # two pairs swapped places
    assert out.labels == d.labels


def test_sroie_line_labels() -> None:
    segs = [
        seg("99 SPEED MART S/B (519537-X)", 0, 0, 300, 20),
        seg("LOT P.T. 2811, JALAN ANGSA,", 0, 25, 300, 45),
        seg("TAMAN BERKELEY", 0, 50, 200, 70),
        seg("DATE: 25/12/2018 8:13 PM", 0, 100, 300, 120),
        seg("SUBTOTAL", 0, 150, 100, 170),
        seg("9.00", 200, 150, 260, 170),
        seg("TOTAL", 0, 180, 100, 200),
        seg("9.00", 200, 180, 260, 200),
        seg("CODE", 0, 210, 60, 230),
    ]
    key = {"company": "99 SPEED MART S/B", "address": "LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY",
           "date": "25/12/2018", "total": "9.00"}  # fmt: skip
    assert label_sroie_lines(segs, key) == [
        "company", "address", "address", "date", "other", "total", "other", "total", "other",
    ]  # fmt: skip
