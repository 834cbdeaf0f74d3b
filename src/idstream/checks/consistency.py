"""The ``mrz_printed_consistency`` check and the merge of printed and MRZ fields."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from idstream.document import Check, FieldValue

__all__ = ["COMPARED_FIELDS", "check_printed_vs_mrz", "names_agree", "transliterate"]

#: Fields compared between the printed zone and the MRZ.
COMPARED_FIELDS: tuple[str, ...] = (
    "surname",
    "given_names",
    "document_number",
    "date_of_birth",
    "date_of_expiry",
    "sex",
    "nationality",
    "issuing_country",
)

# ICAO Doc 9303 part 3, section 6: recommended transliterations (first) and accepted variants.
_SPECIAL: dict[str, tuple[str, ...]] = {
    "Ä": ("AE", "A"), "Ö": ("OE", "O"), "Ü": ("UE", "U"), "Å": ("AA", "A"), "Æ": ("AE",),
    "Ø": ("OE",), "Œ": ("OE",), "ß": ("SS",), "Þ": ("TH",), "Ð": ("D",), "Đ": ("D",),
    "Ł": ("L",), "Ĳ": ("IJ",), "Ñ": ("N", "NXX"), "Ħ": ("H",), "Ŧ": ("T",), "Ŀ": ("L",),
}  # fmt: skip
_SEX = {"M": "M", "H": "M", "MALE": "M", "F": "F", "W": "F", "FEMALE": "F", "X": "X", "<": "X"}
_SEX.update({"MASCULIN": "M", "FEMININ": "F", "FÉMININ": "F", "MANNLICH": "M", "WEIBLICH": "F"})


def transliterate(text: str, *, variant: int = 0) -> str:
    """Transliterate ``text`` to the MRZ's letters (ICAO Doc 9303 part 3).

    Args:
        text: a printed name.
        variant: 0 for the recommended transliteration (``Ü`` -> ``UE``), 1 for the
            accepted alternative (``Ü`` -> ``U``).

    Returns:
        Uppercase ``A``-``Z`` words separated by single spaces; apostrophes are dropped.
    """
    out: list[str] = []
    for ch in text.upper():
        if ch in _SPECIAL:
            options = _SPECIAL[ch]
            out.append(options[min(variant, len(options) - 1)])
            continue
        base = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in base if not unicodedata.combining(c)))
    joined = re.sub(r"['’`´]", "", "".join(out))
    return " ".join(re.sub(r"[^A-Z]+", " ", joined).split())


def names_agree(printed: str, mrz: str, *, truncated: bool = False) -> bool:
    """Whether a printed name and an MRZ name are the same after transliteration.

    Args:
        printed: the name as printed (any script the transliteration table covers).
        mrz: the name decoded from the MRZ (fillers as spaces).
        truncated: the MRZ name field was full, so its last word may be cut short.
    """
    target = " ".join(mrz.upper().split())
    compact_target = target.replace(" ", "")
    for variant in (0, 1):
        cand = transliterate(printed, variant=variant)
        if cand == target or cand.replace(" ", "") == compact_target:
            return True
        if (
            truncated
            and target
            and (cand.startswith(target) or cand.replace(" ", "").startswith(compact_target))
        ):
            return True
    return False


def _norm_code(text: str) -> str:
    return re.sub(r"[\s<\-]", "", text.upper())


def _agree(name: str, printed: FieldValue, mrz: FieldValue) -> bool | None:
    """True/False when comparable, ``None`` when the printed value cannot be compared."""
    if name in ("surname", "given_names"):
        return names_agree(printed.value, mrz.value, truncated=not mrz.raw.endswith("<"))
    if name == "document_number":
        return _norm_code(printed.value) == _norm_code(mrz.value)
    if name == "sex":
        p = _SEX.get(printed.value.strip().upper())
        return None if p is None else p == mrz.value
    if name in ("nationality", "issuing_country"):
        p = _norm_code(printed.value)
        if not re.fullmatch(r"[A-Z]{1,3}", p):
            return None  # printed as a word ("UTOPIAN"), not a code
        return p == _norm_code(mrz.value)
    return printed.value.strip() == mrz.value.strip()


def check_printed_vs_mrz(
    printed: Mapping[str, FieldValue], mrz: Mapping[str, FieldValue]
) -> tuple[Check, dict[str, FieldValue]]:
    """Compare the printed zone with the MRZ field by field, and merge them.

    Where both agree, the merged field keeps the printed value, raw text and box,
    with ``source="visual+mrz"`` and confidence ``1 - (1 - c_printed)(1 - c_mrz)``.
    Where they disagree, the more confident reading is kept with its own source and
    half its confidence, and the field is listed in the failed check (a review
    reason: nothing is silently fixed). Fields present on one side only are kept.

    Args:
        printed: canonical fields read from the printed (visual) zone.
        mrz: canonical fields read from the MRZ (``source="mrz"``).

    Returns:
        The ``mrz_printed_consistency`` check and the merged fields.
    """
    name = "mrz_printed_consistency"
    merged: dict[str, FieldValue] = dict(printed)
    for key, fv in mrz.items():
        merged.setdefault(key, fv)
    if not mrz:
        return Check(name, "skipped", "no MRZ fields"), merged
    agreed: list[str] = []
    disagreed: list[str] = []
    for key in COMPARED_FIELDS:
        p, m = printed.get(key), mrz.get(key)
        if p is None or m is None or not p.value or not m.value:
            continue
        verdict = _agree(key, p, m)
        if verdict is None:
            continue
        if verdict:
            agreed.append(key)
            conf = 1.0 - (1.0 - p.confidence) * (1.0 - m.confidence)
            merged[key] = FieldValue(p.value, p.raw, round(conf, 4), p.box or m.box, "visual+mrz")
        else:
            disagreed.append(key)
            best = p if p.confidence >= m.confidence else m
            merged[key] = FieldValue(
                best.value, best.raw, round(best.confidence / 2.0, 4), best.box, best.source
            )
    if disagreed:
        return Check(
            name, "fail", f"printed zone and MRZ disagree on: {', '.join(disagreed)}", disagreed
        ), merged
    if not agreed:
        return Check(name, "skipped", "no field readable in both the printed zone and the MRZ"), merged
    return Check(name, "pass", f"{len(agreed)} field(s) agree: {', '.join(agreed)}"), merged
