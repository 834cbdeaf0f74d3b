"""Run every document check."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from idstream.checks.consistency import check_printed_vs_mrz
from idstream.checks.dates import check_dates_plausible, check_expiry
from idstream.checks.mrz import check_mrz_digits
from idstream.checks.numbers import check_document_number_format
from idstream.document import Check, FieldValue
from idstream.mrz.fields import mrz_fields as _mrz_fields
from idstream.mrz.parse import MrzParse

__all__ = ["CHECK_NAMES", "run_checks"]

#: The names of the checks :func:`run_checks` returns, in order.
CHECK_NAMES: tuple[str, ...] = (
    "mrz_check_digits",
    "mrz_printed_consistency",
    "document_expired",
    "dates_plausible",
    "document_number_format",
)


def run_checks(
    printed: Mapping[str, FieldValue],
    mrz: MrzParse | None,
    *,
    today: date | None = None,
    mrz_fields: Mapping[str, FieldValue] | None = None,
) -> tuple[list[Check], dict[str, FieldValue]]:
    """Run all document checks and merge printed and MRZ fields.

    Args:
        printed: canonical fields read from the printed zone.
        mrz: the parsed MRZ, or ``None`` when the document has none (or it was not read).
        today: the reference date for expiry and plausibility (``date.today()`` by default).
        mrz_fields: the MRZ's canonical fields when already computed (with OCR confidences).

    Returns:
        The checks (in :data:`CHECK_NAMES` order) and the merged fields; expiry,
        plausibility and number format are judged on the merged fields.
    """
    ref = today or date.today()
    if mrz_fields is None:
        mrz_fields = _mrz_fields(mrz, today=ref) if mrz is not None else {}
    consistency, merged = check_printed_vs_mrz(printed, mrz_fields)
    checks = [
        check_mrz_digits(mrz),
        consistency,
        check_expiry(merged, ref),
        check_dates_plausible(merged, ref),
        check_document_number_format(merged),
    ]
    return checks, merged
