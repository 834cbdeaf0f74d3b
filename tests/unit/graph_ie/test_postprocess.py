"""Post-processing: merging segments, splitting label and value, confidence (no torch)."""

from __future__ import annotations

import numpy as np
import pytest

from idstream.document import Quad
from idstream.graph_ie.postprocess import (
    assemble_fields,
    assign_single_fields,
    build_label_lexicon,
    cut_value,
    drop_repeats,
    is_known_label,
    line_runs,
    merge_groups,
    split_inline_label,
    strip_known_label,
    strip_label,
    union_quad,
)
from idstream.graph_ie.schema import FieldSpec, Schema


def quad(x0: float, y0: float, x1: float, y1: float) -> Quad:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


SCHEMA = Schema.from_dict(
    {
        "name": "t",
        "fields": [
            {"name": "address", "type": "text", "multi_segment": True},
            {"name": "given_names", "type": "text", "multi_segment": True},
            {"name": "date_of_birth", "type": "date", "date_role": "past"},
            {"name": "sex", "type": "sex"},
            {"name": "document_number", "type": "code"},
        ],
    }
)


def probs_for(labels: list[str], p: float = 0.9) -> np.ndarray:
    out = np.full((len(labels), len(SCHEMA.labels)), (1 - p) / (len(SCHEMA.labels) - 1), dtype=np.float32)
    for i, lab in enumerate(labels):
        out[i, SCHEMA.labels.index(lab)] = p
    return out


def test_strip_label() -> None:
    assert strip_label("Surname: DOE") == "DOE"
    assert strip_label("Nom / Surname : DOE") == "DOE"
    assert strip_label("DOE") == "DOE"
    assert strip_label("12:30") == "12:30"  # digits before the colon: not a label


def test_merge_two_line_address_and_split_given_names() -> None:
    texts = ["12 RUE DES LILAS", "75001 PARIS", "JEAN", "PAUL", "Sex: M", "far away"]
    boxes = np.array(
        [[10, 100, 200, 120], [10, 124, 150, 144], [10, 10, 60, 30], [70, 10, 120, 30], [10, 300, 80, 320],
         [10, 600, 80, 620]], dtype=np.float64,
    )  # fmt: skip
    quads = [quad(*b) for b in boxes.tolist()]
    labels = ["address", "address", "given_names", "given_names", "sex", "address"]
    fields = assemble_fields(texts, boxes, quads, probs_for(labels), SCHEMA)
    assert fields["address"].value == "12 RUE DES LILAS 75001 PARIS"  # the far segment is another group
    assert fields["address"].box == ((10, 100), (200, 100), (200, 144), (10, 144))
    assert fields["given_names"].value == "JEAN PAUL"
    assert fields["sex"].value == "M" and fields["sex"].raw == "M"
    assert abs(fields["sex"].confidence - 0.9) < 1e-5
    assert all(f.source == "visual" for f in fields.values())


def test_merge_groups_by_vertical_gap() -> None:
    boxes = np.array([[0, 0, 10, 10], [0, 12, 10, 22], [0, 100, 10, 110]], dtype=np.float64)
    assert merge_groups([0, 1, 2], boxes) == [[0, 1], [2]]


def test_single_segment_field_keeps_most_probable() -> None:
    texts = ["AB123", "XY999"]
    boxes = np.array([[0, 0, 50, 10], [0, 50, 50, 60]], dtype=np.float64)
    probs = probs_for(["document_number", "document_number"])
    probs[1, SCHEMA.labels.index("document_number")] = 0.95
    fields = assemble_fields(texts, boxes, [quad(*b) for b in boxes.tolist()], probs, SCHEMA)
    assert fields["document_number"].value == "XY999"


def test_date_cut_and_confidence() -> None:
    spec = SCHEMA.spec("date_of_birth")
    cut = cut_value("Date of birth: 12 AUG 1974", spec)
    assert cut is not None and cut.value == "1974-08-12" and cut.raw == "12 AUG 1974" and cut.factor == 1.0
    amb = cut_value("08/12/1974", spec)
    assert amb is not None and amb.value == "1974-12-08" and amb.factor < 1.0
    bad = cut_value("unreadable", spec)
    assert bad is not None and bad.factor < 1.0
    raw_date = cut_value("DATE: 25/12/2018 8:13", FieldSpec("date", type="date", normalize=False))
    assert raw_date is not None and raw_date.value == "25/12/2018"


def test_code_and_strip_pattern() -> None:
    assert cut_value("Document No: AB 12 34", SCHEMA.spec("document_number")).value == "AB1234"  # type: ignore[union-attr]
    spec = FieldSpec("company", multi_segment=True, strip=r"\s*\(?\b\d{4,}[-\s]?[A-Z]\b\)?.*$")
    assert cut_value("99 SPEED MART S/B (519537-X)", spec).value == "99 SPEED MART S/B"  # type: ignore[union-attr]


def test_union_quad_and_empty() -> None:
    assert union_quad([quad(0, 0, 1, 1), quad(2, 3, 4, 5)]) == ((0, 0), (4, 0), (4, 5), (0, 5))
    assert (
        assemble_fields([], np.zeros((0, 4)), [], np.zeros((0, len(SCHEMA.labels)), np.float32), SCHEMA) == {}
    )


def test_label_lexicon_and_known_label_split() -> None:
    seen = ["4d DLN", "1. Nazwisko", "Surname:", "Nom / Surname", "Total 12"] * 3 + ["rare"]
    lexicon = build_label_lexicon(seen, min_count=3)
    assert lexicon == ["NOM / SURNAME", "NAZWISKO", "SURNAME", "DLN"]
    assert strip_known_label("4d DLN 68RZ11180", lexicon) == "68RZ11180"
    assert strip_known_label("1. Nazwisko KOWALSKA", lexicon) == "KOWALSKA"
    assert strip_known_label("Nom / Surname: DOE", lexicon) == "DOE"
    assert strip_known_label("DLN", lexicon) == "DLN"  # a label alone stays
    assert strip_known_label("DLNX 12", lexicon) == "DLNX 12"  # only whole words
    texts = ["Surname: DOE"]
    boxes = np.array([[0, 0, 120, 20]], dtype=np.float64)
    probs = probs_for(["given_names"])
    fields = assemble_fields(texts, boxes, [quad(0, 0, 120, 20)], probs, SCHEMA, lexicon)
    assert fields["given_names"].value == "DOE"


def test_dates_follow_the_schema_sequence() -> None:
    schema = Schema.from_dict(
        {
            "name": "d",
            "date_sequence": ["birth", "issue", "expiry"],
            "fields": [
                {"name": "birth", "type": "date", "date_role": "past"},
                {"name": "issue", "type": "date", "date_role": "past"},
                {"name": "expiry", "type": "date", "date_role": "future"},
                {"name": "place"},
            ],
        }
    )
    texts = ["20 JULY 25", "21 JULY 20", "12 JULY 86", "LODZ"]
    probs = np.full((4, 5), 0.01, dtype=np.float32)
    probs[0, 2] = 0.75  # the model swapped issue and expiry...
    probs[1, 3] = 0.75
    probs[2, 4] = 0.8  # ...and took the birth date for a place
    probs[3, 4] = 0.9
    boxes = np.array([[0, 0, 50, 10], [0, 20, 50, 30], [0, 40, 50, 50], [0, 60, 50, 70]], dtype=np.float64)
    fields = assemble_fields(texts, boxes, [quad(*b) for b in boxes.tolist()], probs, schema)
    assert fields["birth"].value == "1986-07-12"
    assert fields["issue"].value == "2020-07-21"
    assert fields["expiry"].value == "2025-07-20"
    assert fields["place"].value == "LODZ"
    assert fields["issue"].confidence < 0.1  # the model did not believe it: low confidence stays
    with pytest.raises(ValueError):
        Schema.from_dict({"name": "x", "date_sequence": ["place"], "fields": [{"name": "place"}]})


def test_label_only_segments_are_dropped_from_values() -> None:
    texts = ["8 ADDR", "172 HIGH STREET", "47368 CARDIFF"]
    boxes = np.array([[0, 0, 60, 20], [0, 24, 150, 44], [0, 48, 150, 68]], dtype=np.float64)
    probs = probs_for(["address", "address", "address"])
    fields = assemble_fields(texts, boxes, [quad(*b) for b in boxes.tolist()], probs, SCHEMA, ["ADDR"])
    assert fields["address"].value == "172 HIGH STREET 47368 CARDIFF"
    assert is_known_label("8 ADDR", ["ADDR"]) and not is_known_label("ADDRESS", ["ADDR"])


def test_repeated_logo_line_is_dropped_from_a_multi_line_value() -> None:
    texts = ["PREMIO", "PREMIO STATIONERY SDN BHD", "PREMIO STATIONERY SDN BHD", "JOHOR"]
    assert drop_repeats([0, 1, 2], texts) == [1]
    # a short line after a longer one that contains it is part of the value (an address's state)
    assert drop_repeats([1, 3], ["", "81100 JOHOR BAHRU", "", "JOHOR"]) == [1, 3]


def test_amount_prefers_a_printed_decimal_amount() -> None:
    schema = Schema.from_dict(
        {"name": "r", "fields": [{"name": "total", "type": "amount", "normalize": False}]}
    )
    texts = ["6", "6.00"]
    probs = np.array([[0.05, 0.95], [0.2, 0.8]], dtype=np.float32)
    boxes = np.array([[0, 0, 10, 10], [0, 20, 40, 30]], dtype=np.float64)
    fields = assemble_fields(texts, boxes, [quad(*b) for b in boxes.tolist()], probs, schema)
    assert fields["total"].value == "6.00"


def test_one_segment_per_single_field_and_one_field_per_segment() -> None:
    schema = Schema.from_dict(
        {
            "name": "c",
            "fields": [{"name": "issuing", "type": "country"}, {"name": "nationality", "type": "country"}],
        }
    )
    # both "BRX" look like the nationality; the less likely one takes its second choice
    probs = np.array([[0.05, 0.35, 0.6], [0.05, 0.1, 0.85]], dtype=np.float32)
    assert assign_single_fields(probs, schema, [0, 1]) == {"nationality": 1, "issuing": 0}
    probs[0] = [0.05, 0.05, 0.9]  # no credible second choice: no value
    probs[1] = [0.05, 0.1, 0.85]
    assert assign_single_fields(probs, schema, [0, 1]) == {"nationality": 0}


def test_date_split_in_pieces_on_one_line_is_read_whole() -> None:
    schema = Schema.from_dict(
        {
            "name": "d",
            "date_sequence": ["birth", "expiry"],
            "fields": [
                {"name": "birth", "type": "date", "date_role": "past"},
                {"name": "expiry", "type": "date", "date_role": "future"},
            ],
        }
    )
    texts = ["21", "JULY/JUILLET", "86", "20 JULY 31"]
    boxes = np.array([[0, 0, 20, 10], [25, 0, 90, 10], [95, 0, 115, 10], [0, 30, 90, 40]], dtype=np.float64)
    probs = np.full((4, 3), 0.05, dtype=np.float32)
    probs[:3, 1] = 0.9
    probs[3, 2] = 0.9
    assert line_runs(boxes, probs.argmax(axis=1), [1, 2]) == {0: [0, 1, 2]}
    fields = assemble_fields(texts, boxes, [quad(*b) for b in boxes.tolist()], probs, schema)
    assert fields["birth"].value == "1986-07-21"
    assert fields["expiry"].value == "2031-07-20"


FIELD_LABELS = [
    "SEX",
    "RESTR",
    "PŁEĆ",
    "GESCHLECHT",
    "DATE DE NAISSANCE",
    "SURNAME",
    "ADI",
    "GIVEN NAMES",
    "ADI / GIVEN NAMES",
    "NOME",
]


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("15 SEX M", ("SEX", "M")),  # field number, label and a short value read as one segment
        ("Sex0 M", ("SEX", "M")),  # the label misread
        ("Sex; M", ("SEX", "M")),
        ("GESCHIECHT: M", ("GESCHLECHT", "M")),
        ("PLEC:; F", ("PŁEĆ", "F")),  # diacritics lost by the recognizer
        ("1RESTR B", ("RESTR", "B")),  # a field number glued to the label
        ("Surname:DOE", ("SURNAME", "DOE")),
        ("SEX", None),  # a label alone
        ("Dale de nalssance;", None),  # one misread label, not a label and a value
        ("MARIE CLAIRE", None),
        ("12/07 1986", None),
        ("M", None),
        ("Adi / Gien names", None),  # a bilingual label: its second language is no value
        ("RESTR: NONE", ("RESTR", "NONE")),  # NONE is a value, not the label NOME misread
        ("Adi Gien names", None),
        ("Adi / Gien names MUSTAFA", ("ADI / GIVEN NAMES", "MUSTAFA")),
    ],
)
def test_split_inline_label(text: str, split: tuple[str, str] | None) -> None:
    assert split_inline_label(text, FIELD_LABELS) == split


def test_a_title_that_starts_like_a_label_is_no_label_and_value() -> None:
    title = "DOCUMENTO NACIONAL DE IDENTIDAD"
    assert split_inline_label(f"{title} / IDENTITY CARD", ["DOCUMENT NO"]) == (
        "DOCUMENT NO",
        "NACIONAL DE IDENTIDAD / IDENTITY CARD",
    )  # with field labels only, DOCUMENTO reads as DOCUMENT NO misread
    whole = ["DOCUMENT NO", title, f"{title} / IDENTITY CARD"]
    assert split_inline_label(f"{title} / IDENTITY CARD", ["DOCUMENT NO"], whole) is None
    assert (
        split_inline_label("REPUDLICA FEDERAL DE OSTRAVIA", ["REPUBLIC"], ["REPÚBLICA FEDERAL DE OSTRAVIA"])
        is None
    )
    assert split_inline_label("Document No: 75025221", ["DOCUMENT NO"], whole) == ("DOCUMENT NO", "75025221")


def test_split_inline_label_needs_a_whole_label() -> None:
    # a title printed at the start of a value is no label of it when cut short of a longer one
    assert split_inline_label("PASSPORT OFFICE", ["PASSPORT NO"]) is None
    assert split_inline_label("15 SEX M", []) is None


def test_value_labels_cut_field_labels_not_titles() -> None:
    lexicon = ["PASSPORT", "SEX"]
    texts = ["PASSPORT OFFICE", "15 Sex0 M"]
    boxes = np.array([[0, 0, 150, 20], [0, 40, 90, 60]], dtype=np.float64)
    probs = probs_for(["address", "sex"])
    quads = [quad(*b) for b in boxes.tolist()]
    cut_all = assemble_fields(texts, boxes, quads, probs, SCHEMA, lexicon)
    assert cut_all["address"].value == "OFFICE"  # every lexicon entry cut, as before
    fields = assemble_fields(texts, boxes, quads, probs, SCHEMA, lexicon, value_labels=["SEX"])
    assert fields["address"].value == "PASSPORT OFFICE"
    assert fields["sex"].value == "M"
