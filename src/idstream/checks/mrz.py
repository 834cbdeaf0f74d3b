"""The ``mrz_check_digits`` check."""

from __future__ import annotations

from idstream.document import Check
from idstream.mrz.parse import MrzParse

__all__ = ["check_mrz_digits"]


def check_mrz_digits(parse: MrzParse | None) -> Check:
    """All MRZ check digits valid (after repair); ``skipped`` without an MRZ.

    The ``fields`` of a failed check are the names of the failing checks
    (``document_number``, ``date_of_birth``, ..., ``composite``).
    """
    name = "mrz_check_digits"
    if parse is None:
        return Check(name, "skipped", "no MRZ read")
    failed = [k for k, ok in parse.checks.items() if not ok]
    repaired = len(parse.repairs)
    note = f"; {repaired} character(s) repaired" if repaired else ""
    if failed:
        amb = [k for k in failed if k in parse.ambiguous]
        extra = f"; ambiguous repair: {', '.join(amb)}" if amb else ""
        return Check(
            name, "fail", f"{parse.format} check digits failed: {', '.join(failed)}{note}{extra}", failed
        )
    return Check(name, "pass", f"{parse.format}: {len(parse.checks)} check digits valid{note}")
