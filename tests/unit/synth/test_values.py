"""Values: printed date styles, MRZ transliteration, confusable document numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np

from idstream.annotations.normalize import parse_date
from idstream.synth.mrz import compose_td1, compose_td3, transliterate
from idstream.synth.values import DATE_STYLES, format_date, make_holder


def test_date_styles_of_the_issue() -> None:
    d = dt.date(1974, 8, 12)
    printed = {style: format_date(d, style) for style in DATE_STYLES}
    assert printed["dot"] == "12.08.1974"
    assert printed["mon"] == "12 AUG 1974"
    assert printed["month_bilingual_yy"] == "12 AUGUST/AOUT 74"
    assert printed["slash_mdy"] == "08/12/1974"
    assert printed["iso"] == "1974-08-12"
    for style, text in printed.items():
        order = "MDY" if style == "slash_mdy" else "DMY"
        assert parse_date(text, date_order=order, today=dt.date(2025, 1, 1)) == "1974-08-12", style


def test_transliteration_follows_icao() -> None:
    assert transliterate("MÜLLER-LÜDENSCHEIDT") == "MUELLER<LUEDENSCHEIDT"
    assert transliterate("GROß") == "GROSS"
    assert transliterate("D'ALEMBERT") == "DALEMBERT"
    assert transliterate("ŁÓDŹ NGUYỄN") == "LODZ<NGUYEN"


def test_icao_specimens() -> None:
    kw = {
        "issuing_country": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "nationality": "UTO",
        "date_of_birth": dt.date(1974, 8, 12),
        "sex": "F",
        "date_of_expiry": dt.date(2012, 4, 15),
    }
    td3 = compose_td3(**kw, document_number="L898902C3", personal_number="ZE184226B")  # type: ignore[arg-type]
    assert td3 == [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ]
    td1 = compose_td1(**kw, document_number="D23145890", document_code="I<")  # type: ignore[arg-type]
    assert td1[:2] == ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6"]


def test_values_have_diacritics_multipart_names_and_confusables() -> None:
    holders = [make_holder(np.random.default_rng(i)) for i in range(300)]
    assert any(not h.surname.isascii() for h in holders)
    assert any("-" in h.surname or " " in h.surname for h in holders)
    assert any(
        set(h.document_number) & set("OISBZG") and set(h.document_number) & set("01582") for h in holders
    )
    assert {h.sex for h in holders} >= {"M", "F"}
    assert all(h.date_of_birth < h.date_of_issue < h.date_of_expiry for h in holders)
