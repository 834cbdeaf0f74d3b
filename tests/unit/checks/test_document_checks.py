from __future__ import annotations

from datetime import date

import pytest

from idstream.checks import (
    check_dates_plausible,
    check_document_number_format,
    check_expiry,
    check_mrz_digits,
    check_printed_vs_mrz,
    names_agree,
    run_checks,
    transliterate,
)
from idstream.checks.run import CHECK_NAMES
from idstream.document import Check, FieldValue
from idstream.mrz.fields import mrz_fields
from idstream.mrz.parse import parse_mrz

TODAY = date(2026, 11, 25)
TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
PERSONAL_VALUES = (
    "ERIKSSON",
    "ANNA",
    "MARIA",
    "L898902C3",
    "1974-08-12",
    "2012-04-15",
    "ZE184226B",
    "740812",
)


def fv(value: str, confidence: float = 0.8, source: str = "visual") -> FieldValue:
    return FieldValue(value=value, raw=value, confidence=confidence, source=source)


def printed_specimen() -> dict[str, FieldValue]:
    return {
        "surname": fv("ERIKSSON"),
        "given_names": fv("Anna María"),
        "document_number": fv("L898902C3"),
        "date_of_birth": fv("1974-08-12"),
        "date_of_expiry": fv("2012-04-15"),
        "date_of_issue": fv("2007-04-16"),
        "sex": fv("F"),
        "nationality": fv("Utopian"),
        "issuing_country": fv("UTO"),
    }


def assert_no_personal_data(check: Check) -> None:
    for value in PERSONAL_VALUES:
        assert value not in check.detail


def test_mrz_digits_pass_fail_skipped() -> None:
    ok = check_mrz_digits(parse_mrz(TD3))
    assert ok.status == "pass" and ok.name == "mrz_check_digits"
    bad = check_mrz_digits(parse_mrz([TD3[0], TD3[1][:19] + "3" + TD3[1][20:]], repair=False))
    assert bad.status == "fail"
    assert "date_of_birth" in bad.fields and "composite" in bad.fields
    assert check_mrz_digits(None).status == "skipped"
    for c in (ok, bad):
        assert_no_personal_data(c)


def test_mrz_digits_mentions_repairs_without_values() -> None:
    parse = parse_mrz([TD3[0], TD3[1][:13] + "74O812" + TD3[1][19:]])
    check = check_mrz_digits(parse)
    assert check.status == "pass"
    assert "repaired" in check.detail
    assert_no_personal_data(check)


def test_transliteration() -> None:
    assert transliterate("Müller") == "MUELLER"
    assert transliterate("Müller", variant=1) == "MULLER"
    assert transliterate("Strauß") == "STRAUSS"
    assert transliterate("D'Artagnan") == "DARTAGNAN"
    assert transliterate("Jean-Pierre") == "JEAN PIERRE"
    assert transliterate("Łukasz Żółć") == "LUKASZ ZOLC"
    assert names_agree("Müller", "MUELLER")
    assert names_agree("Müller", "MULLER")
    assert not names_agree("Miller", "MUELLER")
    assert names_agree("Bartholomew Alexander", "BARTHOLOM", truncated=True)
    assert not names_agree("Bartholomew Alexander", "BARTHOLOM", truncated=False)


def test_printed_vs_mrz_agree_boosts_confidence() -> None:
    mrz = mrz_fields(parse_mrz(TD3), today=TODAY)
    check, merged = check_printed_vs_mrz(printed_specimen(), mrz)
    assert check.name == "mrz_printed_consistency"
    assert check.status == "pass", check.detail
    assert merged["surname"].source == "visual+mrz"
    assert merged["surname"].confidence > max(0.8, mrz["surname"].confidence)
    assert merged["given_names"].value == "Anna María"  # the printed form is kept
    assert merged["nationality"].source == "visual"  # a word, not comparable with the code
    assert merged["personal_number"].source == "mrz"  # MRZ-only field carried over
    assert_no_personal_data(check)


def test_printed_vs_mrz_disagreement_is_reported_not_fixed() -> None:
    mrz = mrz_fields(parse_mrz(TD3), today=TODAY)
    printed = printed_specimen()
    printed["document_number"] = fv("L898902C8", confidence=0.95)
    printed["date_of_birth"] = fv("1974-08-13")
    printed["sex"] = fv("M")
    check, merged = check_printed_vs_mrz(printed, mrz)
    assert check.status == "fail"
    assert check.fields == ["document_number", "date_of_birth", "sex"]
    assert merged["document_number"].source in ("visual", "mrz")
    assert merged["document_number"].confidence < 0.5
    assert_no_personal_data(check)


def test_printed_vs_mrz_skipped() -> None:
    check, merged = check_printed_vs_mrz(printed_specimen(), {})
    assert check.status == "skipped"
    assert merged == printed_specimen()
    mrz = mrz_fields(parse_mrz(TD3), today=TODAY)
    check, _ = check_printed_vs_mrz({"place_of_birth": fv("ZENITH")}, mrz)
    assert check.status == "skipped"


def test_expiry() -> None:
    assert check_expiry({"date_of_expiry": fv("2012-04-15")}, TODAY).status == "fail"
    assert check_expiry({"date_of_expiry": fv("2030-01-01")}, TODAY).status == "pass"
    assert check_expiry({"date_of_expiry": fv("2026-11-25")}, TODAY).status == "pass"
    assert check_expiry({}, TODAY).status == "skipped"
    assert check_expiry({"date_of_expiry": fv("not a date")}, TODAY).status == "skipped"
    failed = check_expiry({"date_of_expiry": fv("2012-04-15")}, TODAY)
    assert failed.name == "document_expired" and failed.fields == ["date_of_expiry"]
    assert_no_personal_data(failed)


@pytest.mark.parametrize(
    ("dates", "bad_fields"),
    [
        ({"date_of_birth": "1974-08-12", "date_of_issue": "2020-01-01", "date_of_expiry": "2030-01-01"}, []),
        ({"date_of_birth": "2021-08-12", "date_of_issue": "2020-01-01"}, ["date_of_birth", "date_of_issue"]),
        (
            {"date_of_issue": "2031-01-01", "date_of_expiry": "2030-01-01"},
            ["date_of_issue", "date_of_expiry"],
        ),
        ({"date_of_birth": "1900-01-01"}, ["date_of_birth"]),
        ({"date_of_birth": "2027-01-01"}, ["date_of_birth"]),
        ({"date_of_issue": "2027-01-01"}, ["date_of_issue"]),
        ({"date_of_birth": "1974-02-30"}, ["date_of_birth"]),
    ],
)
def test_dates_plausible(dates: dict[str, str], bad_fields: list[str]) -> None:
    check = check_dates_plausible({k: fv(v) for k, v in dates.items()}, TODAY)
    assert check.name == "dates_plausible"
    assert check.status == ("fail" if bad_fields else "pass")
    assert sorted(check.fields) == sorted(bad_fields)
    for v in dates.values():
        assert v not in check.detail


def test_dates_plausible_skipped() -> None:
    assert check_dates_plausible({}, TODAY).status == "skipped"


@pytest.mark.parametrize(
    ("country", "doc_type", "number", "status"),
    [
        ("D", "P", "C01X00T47", "pass"),
        ("D", "P", "C01X00T4A", "fail"),  # A is not used in German serial numbers
        ("FRA", "P", "05AB12345", "pass"),
        ("FRA", "P", "5AB123456", "fail"),
        ("GBR", "P", "123456789", "pass"),
        ("GBR", "P", "12345678A", "fail"),
        ("NLD", "I", "SPECI2014", "pass"),
        ("NLD", "P", "SPEC0O014", "fail"),  # no letter O in Dutch numbers
        ("UTO", "P", "L898902C3", "pass"),  # generic rule
        ("UTO", "P", "L898-902C", "fail"),
    ],
)
def test_document_number_format(country: str, doc_type: str, number: str, status: str) -> None:
    fields = {"document_number": fv(number), "issuing_country": fv(country), "document_type": fv(doc_type)}
    check = check_document_number_format(fields)
    assert check.name == "document_number_format"
    assert check.status == status
    assert number not in check.detail
    if status == "fail":
        assert check.fields == ["document_number"]


def test_document_number_format_skipped() -> None:
    assert check_document_number_format({}).status == "skipped"


def test_run_checks_all_names_in_order() -> None:
    checks, merged = run_checks(printed_specimen(), parse_mrz(TD3), today=TODAY)
    assert tuple(c.name for c in checks) == CHECK_NAMES
    status = {c.name: c.status for c in checks}
    assert status == {
        "mrz_check_digits": "pass",
        "mrz_printed_consistency": "pass",
        "document_expired": "fail",  # the specimen expired in 2012
        "dates_plausible": "pass",
        "document_number_format": "pass",
    }
    assert merged["date_of_birth"].source == "visual+mrz"
    for c in checks:
        assert_no_personal_data(c)


def test_run_checks_without_mrz() -> None:
    checks, merged = run_checks({"date_of_expiry": fv("2030-01-01")}, None, today=TODAY)
    status = {c.name: c.status for c in checks}
    assert status["mrz_check_digits"] == "skipped"
    assert status["mrz_printed_consistency"] == "skipped"
    assert status["document_expired"] == "pass"
    assert merged["date_of_expiry"].source == "visual"
