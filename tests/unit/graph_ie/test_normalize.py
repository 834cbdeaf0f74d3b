"""Normalization of dates, sex, countries and amounts (no torch)."""

from __future__ import annotations

import datetime as dt

import pytest

from idstream.graph_ie.normalize import (
    LIST_VOCABULARIES,
    find_amount,
    find_date,
    normalize_country,
    normalize_date,
    normalize_list,
    normalize_sex,
    repair_digits,
    repair_month_words,
    repair_separators,
)

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("12.08.1974", "1974-08-12"),
        ("12 AUG 1974", "1974-08-12"),
        ("12 AUGUST/AOUT 74", "1974-08-12"),
        ("12 août 1974", "1974-08-12"),
        ("1974-08-12", "1974-08-12"),
        ("12AUG74", "1974-08-12"),
        ("AUG 12, 1974", "1974-08-12"),
        ("12 JUN/JUIN 2031", "2031-06-12"),
        ("13/08/1974", "1974-08-13"),
        ("DATE: 25/12/2018 8:13:39 PM", "2018-12-25"),
        ("Date of birth 03-01-1971", "1971-01-03"),
        ("12 Dez. 1990", "1990-12-12"),
        ("31.02.1990 01.03.1990", "1990-03-01"),
    ],
)
def test_dates(text: str, iso: str) -> None:
    found = find_date(text, role="past", today=TODAY)
    assert found is not None and found.iso == iso


def test_ambiguous_order_follows_hint_and_is_flagged() -> None:
    dmy = find_date("08/12/1974", order="DMY")
    mdy = find_date("08/12/1974", order="MDY")
    assert dmy is not None and dmy.iso == "1974-12-08" and dmy.ambiguous
    assert mdy is not None and mdy.iso == "1974-08-12" and mdy.ambiguous
    sure = find_date("08/13/1974", order="DMY")  # 13 cannot be a month: read as MDY, not ambiguous
    assert sure is not None and sure.iso == "1974-08-13" and not sure.ambiguous


def test_two_digit_years_by_role() -> None:
    assert find_date("01 JAN 30", role="past", today=TODAY).iso == "1930-01-01"  # type: ignore[union-attr]
    assert find_date("01 JAN 30", role="future", today=TODAY).iso == "2030-01-01"  # type: ignore[union-attr]
    assert find_date("01 JAN 20", role="past", today=TODAY).iso == "2020-01-01"  # type: ignore[union-attr]


def test_no_date() -> None:
    assert normalize_date("TOTAL 12.50") is None
    assert normalize_date("32.13.2000") is None


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("M", "M"),
        ("F", "F"),
        ("F/F", "F"),
        ("Male", "M"),
        ("Féminin", "F"),
        ("W", "F"),
        ("X", "X"),
        ("Sexe: M", "M"),
    ],
)
def test_sex(text: str, sex: str) -> None:
    assert normalize_sex(text) == sex


def test_sex_unknown() -> None:
    assert normalize_sex("42") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("UTO", "UTO"), ("Utopia", "UTO"), ("D", "DEU"), ("DEUTSCH", "DEU"), ("FRANÇAISE", "FRA"),
     ("French / Française", "FRA"), ("Belgique / België", "BEL"), ("United Kingdom", "GBR"), ("SLV", "SLV")],
)  # fmt: skip
def test_country(text: str, code: str) -> None:
    assert normalize_country(text) == code


def test_country_unknown() -> None:
    assert normalize_country("Atlantis Republic") is None


def test_amounts() -> None:
    assert find_amount("TOTAL: RM 9.00") == "9.00"
    assert find_amount("TOTAL $8.20") == "$8.20"
    assert find_amount("1,234.50") == "1,234.50"
    assert find_amount("SUBTOTAL 5.00 TOTAL 6.00") == "6.00"
    assert find_amount("no number") is None


def test_amount_keeps_a_currency_code_printed_against_it() -> None:
    assert find_amount("NETT TOTAL: RM7.70") == "RM7.70"
    assert find_amount("RM 7.70") == "7.70"
    assert find_amount("FORM9.00") == "9.00"


def test_dates_with_digits_misread_as_letters_and_bilingual_months() -> None:
    assert repair_digits("O7/I2/2O19 JOHN") == "07/12/2019 JOHN"
    assert normalize_date("0B/29/2021", order="MDY") == "2021-08-29"
    assert normalize_date("01/24/20Z4", order="MDY") == "2024-01-24"
    assert normalize_date("12 JULY/JVILET 86", role="past") == "1986-07-12"
    assert normalize_date("26 MY/MAI 45", role="past") == "1945-05-26"
    assert normalize_date("SEPTEMBER") is None


def test_a_bilingual_month_whose_slash_was_read_as_a_letter() -> None:
    # the ICAO specimen passport's date of issue "16 APR/AVR 07", as EasyOCR reads it
    assert normalize_date("16 APRIAVR 07", role="issue") == "2007-04-16"
    assert normalize_date("12 AUGUST1AOUT 74", role="past") == "1974-08-12"
    assert normalize_date("15 APRIL 2012") == "2012-04-15"
    assert normalize_date("3 MAYI 1990") is None


def test_date_separators_misread_or_dropped() -> None:
    assert repair_separators("12/25,2030") == "12/25/2030"
    assert repair_separators("FECHA 15,06 1973") == "FECHA 15/06/1973"
    assert repair_separators("0409 1980") == "04/09/1980"
    assert repair_separators("1409/2017") == "1409/2017"  # a separator read as a digit: left alone
    assert repair_separators("TOTAL 12.50") == "TOTAL 12.50"
    assert normalize_date("12/25,2030", order="MDY") == "2030-12-25"
    assert normalize_date("23,02/2023") == "2023-02-23"
    assert normalize_date("FECHA DE NACMtNIO   15,06 1973", role="past") == "1973-06-15"
    assert normalize_date("1409/2017") is None
    assert normalize_date("TOTAL 1234 5678") is None  # no month 34, no date


def test_licence_categories_misread_by_ocr_are_repaired() -> None:
    cats = LIST_VOCABULARIES["licence_class"]
    assert normalize_list("A2, B, CI", cats) == "A2 B C1"
    assert normalize_list("BI/D", cats) == "B1 D"
    assert normalize_list("AMIAZID", cats) == "AM A2 D"  # the slashes read as I
    assert normalize_list("AZ/CEID", cats) == "A2 CE D"
    assert normalize_list("AMALB/C", cats) == "AMALB C"  # no reading of known items: kept
    assert normalize_list("T", cats) == "T"  # a national category the vocabulary lacks
    assert normalize_list("A2, B, CI") == "A2 B CI"  # no vocabulary: as read


def test_month_names_and_years_misread_by_ocr() -> None:
    assert repair_month_words("03 OCIOBER/OCIOBRE 23") == "03 OCTOBER/OCTOBRE 23"
    assert normalize_date("03 OCIOBER/OCIOBRE 23", role="past") == "2023-10-03"
    assert normalize_date("08 NOVEMBERNOVEMBRE [6", role="past") == "2016-11-08"  # slash lost, 1 read as [
    assert normalize_date("20JULYIJUILLET I8", role="past") == "2018-07-20"  # slash and 1 read as I
    assert repair_month_words("JOHN SMITH 12") == "JOHN SMITH 12"
    assert repair_month_words("MARIE CLAIRE") == "MARIE CLAIRE"
    assert normalize_date("PATENTE DI GUIDA") is None
