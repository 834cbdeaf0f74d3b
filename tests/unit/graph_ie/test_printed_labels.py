"""Printed labels announcing a field: finding them, learning them, mixing them in (no torch)."""

from __future__ import annotations

import numpy as np

from idstream.graph_ie.printed_labels import (
    announced_labels,
    apply_label_prior,
    field_labels,
    learn_label_fields,
    match_label,
)

KEYS = ["DATE OF BIRTH", "PLACE OF BIRTH", "SURNAME", "DATA URODZENIA / DATE OF BIRTH"]
CLASSES = ("other", "surname", "date_of_birth", "place_of_birth")


def test_match_label_exact_misread_and_not_a_label() -> None:
    assert match_label("Date of birth:", KEYS) == "DATE OF BIRTH"
    assert match_label("3 Date of b1rth", KEYS) == "DATE OF BIRTH"  # field number cut, misreading matched
    assert match_label("12/07/1986", KEYS) is None
    assert match_label("DOE", KEYS) is None


def test_match_label_a_bilingual_label_read_with_its_slash_as_l() -> None:
    keys = ["AUTHORITY", "SEX", "DATE OF ISSUE", "SURNAME"]
    assert match_label("Authorityl Autorite", keys) == "AUTHORITY"  # the ICAO specimen, as OCR reads it
    assert match_label("Sexl Sexe", keys) == "SEX"
    assert match_label("Date of issuel Date de delivrance", keys) == "DATE OF ISSUE"
    assert match_label("Nom / Surname", keys) == "SURNAME"
    assert match_label("ANGEL MARIA", keys) is None  # a name ending in L: no known part


def test_labels_above_left_and_inline() -> None:
    texts = ["Date of birth", "Place of birth", "12 JUL 86", "LODZ", "Surname: DOE", "Surname", "SMITH"]
    boxes = np.array(
        [
            [0, 0, 100, 10],  # label above the date
            [200, 0, 300, 10],  # label above the place
            [0, 14, 90, 30],
            [200, 14, 260, 30],  # left of it is the date, a value: the label above counts
            [0, 50, 120, 66],  # label and value in one segment
            [0, 80, 60, 96],
            [100, 80, 160, 96],  # label on its left
        ],
        dtype=np.float64,
    )
    found = announced_labels(texts, boxes, KEYS)
    assert found == [None, None, "DATE OF BIRTH", "PLACE OF BIRTH", "SURNAME", None, "SURNAME"]


def test_learn_counts_bilingual_parts_and_prior_moves_a_value() -> None:
    texts = ["DATA URODZENIA / DATE OF BIRTH", "12 JUL 86"]
    boxes = np.array([[0, 0, 200, 10], [0, 14, 90, 30]], dtype=np.float64)
    learned = learn_label_fields([(texts, boxes, ["other", "date_of_birth"])] * 5, KEYS)
    assert learned["DATA URODZENIA"] == {"date_of_birth": 1.0}
    assert learned["DATA URODZENIA / DATE OF BIRTH"] == {"date_of_birth": 1.0}
    # a layout printing the Polish label only; the model took the date for a place
    probs = np.array([[0.97, 0.01, 0.01, 0.01], [0.05, 0.05, 0.3, 0.6]], dtype=np.float32)
    mixed = apply_label_prior(probs, ["Data urodzenia", "12 JUL 86"], boxes, learned, CLASSES)
    assert CLASSES[int(mixed[1].argmax())] == "date_of_birth"
    assert np.allclose(mixed[0], probs[0]) and np.allclose(mixed.sum(axis=1), 1.0)
    assert apply_label_prior(probs, texts, boxes, {}, CLASSES) is probs


def test_field_labels_leave_titles_out() -> None:
    learned = {
        "SEX": {"sex": 0.95, "other": 0.05},
        "PASSPORT": {"surname": 0.64, "other": 0.29, "date_of_expiry": 0.07},
        "REPUBLIC OF UTOPIA": {"other": 1.0},
    }
    assert field_labels(learned) == ["SEX"]


def test_a_label_read_with_its_value_weighs_more() -> None:
    classes = ("other", "sex", "surname")
    learned = {"SEX": {"sex": 0.95, "other": 0.05}, "PASSPORT": {"surname": 0.64, "other": 0.36}}
    texts = ["15 SEX M", "Sex0 F", "PASSPORT OFFICE"]
    boxes = np.array([[0, 0, 80, 16], [0, 40, 80, 56], [0, 80, 200, 96]], dtype=np.float64)
    # the network calls the label + value segments `other` (it sees the label's words)
    probs = np.array([[0.97, 0.02, 0.01], [0.97, 0.02, 0.01], [0.9, 0.02, 0.08]], dtype=np.float32)
    assert announced_labels(texts, boxes, sorted(learned), ["SEX"]) == ["SEX", "SEX", None]
    mixed = apply_label_prior(probs, texts, boxes, learned, classes)
    assert [classes[int(r.argmax())] for r in mixed] == ["sex", "sex", "other"]
    half = apply_label_prior(probs, texts, boxes, learned, classes, inline_weight=0.5)
    assert classes[int(half[0].argmax())] == "other"  # the plain 50/50 mixture did not move it
    assert np.allclose(mixed.sum(axis=1), 1.0)
