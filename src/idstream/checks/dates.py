"""Date checks: ``document_expired`` and ``dates_plausible``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from idstream.document import Check, FieldValue

__all__ = ["MAX_AGE_YEARS", "check_dates_plausible", "check_expiry", "field_date"]

#: Older holders than this are considered impossible.
MAX_AGE_YEARS = 120


def field_date(fields: Mapping[str, FieldValue], name: str) -> date | None:
    """The ISO date value of field ``name``, or ``None`` when absent or not a date."""
    fv = fields.get(name)
    if fv is None or not fv.value:
        return None
    try:
        return date.fromisoformat(fv.value)
    except ValueError:
        return None


def check_expiry(fields: Mapping[str, FieldValue], today: date) -> Check:
    """``document_expired``: ``fail`` when the expiry date is before ``today``.

    Args:
        fields: canonical fields (``date_of_expiry`` is used).
        today: the reference date.
    """
    name = "document_expired"
    expiry = field_date(fields, "date_of_expiry")
    if expiry is None:
        return Check(name, "skipped", "no readable date_of_expiry")
    if expiry < today:
        return Check(name, "fail", "date_of_expiry is in the past", ["date_of_expiry"])
    return Check(name, "pass", "date_of_expiry is today or later")


def _years_between(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def check_dates_plausible(fields: Mapping[str, FieldValue], today: date) -> Check:
    """``dates_plausible``: birth before issue before expiry, nothing born in the future, age <= 120.

    Args:
        fields: canonical fields (``date_of_birth``, ``date_of_issue``, ``date_of_expiry``).
        today: the reference date.
    """
    name = "dates_plausible"
    birth = field_date(fields, "date_of_birth")
    issue = field_date(fields, "date_of_issue")
    expiry = field_date(fields, "date_of_expiry")
    problems: list[str] = []
    bad: list[str] = []

    def flag(problem: str, *names: str) -> None:
        problems.append(problem)
        bad.extend(n for n in names if n not in bad)

    for fname, value in (("date_of_birth", birth), ("date_of_issue", issue), ("date_of_expiry", expiry)):
        if fname in fields and fields[fname].value and value is None:
            flag(f"{fname} is not a valid date", fname)
    if birth is not None:
        if birth > today:
            flag("date_of_birth is in the future", "date_of_birth")
        elif _years_between(birth, today) > MAX_AGE_YEARS:
            flag(f"age over {MAX_AGE_YEARS} years", "date_of_birth")
    if issue is not None and issue > today:
        flag("date_of_issue is in the future", "date_of_issue")
    if birth is not None and issue is not None and birth > issue:
        flag("date_of_birth after date_of_issue", "date_of_birth", "date_of_issue")
    if issue is not None and expiry is not None and issue >= expiry:
        flag("date_of_issue not before date_of_expiry", "date_of_issue", "date_of_expiry")
    if birth is not None and expiry is not None and birth >= expiry:
        flag("date_of_birth not before date_of_expiry", "date_of_birth", "date_of_expiry")
    if problems:
        return Check(name, "fail", "; ".join(problems), bad)
    if birth is None and issue is None and expiry is None:
        return Check(name, "skipped", "no readable dates")
    return Check(name, "pass", "dates are consistent")
