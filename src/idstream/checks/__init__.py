"""Document checks: MRZ check digits, printed-vs-MRZ consistency, expiry, dates, number formats.

Every check returns an :class:`idstream.document.Check` whose ``name`` is a
stable identifier (it becomes a review reason when the check fails) and whose
``detail`` names fields and kinds of problems, never field values.
"""

from idstream.checks.consistency import check_printed_vs_mrz, names_agree, transliterate
from idstream.checks.dates import check_dates_plausible, check_expiry
from idstream.checks.mrz import check_mrz_digits
from idstream.checks.numbers import check_document_number_format
from idstream.checks.run import run_checks

__all__ = [
    "check_dates_plausible",
    "check_document_number_format",
    "check_expiry",
    "check_mrz_digits",
    "check_printed_vs_mrz",
    "names_agree",
    "run_checks",
    "transliterate",
]
