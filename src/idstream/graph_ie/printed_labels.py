"""Printed field labels: which field a label printed beside a value announces.

Numpy and the standard library only.

Identity documents print a label next to almost every value (``Date of birth``
above ``10 SEP 96``, ``8 ADDR`` left of an address, ``Surname: DOE`` in one
segment). A layout the model never saw moves the values around, but keeps the
labels. From the training documents, :func:`learn_label_fields` counts, for every
printed label (its key: field number and colon removed, upper case), which class
the segment it announces had; at inference :func:`apply_label_prior` mixes that
distribution into the model's probabilities of the announced segment.

A segment's label is, in this order:

1. a label printed at the start of the segment itself (``Surname: DOE``; OCR often reads a
   label and a short value as one segment, ``15 SEX M``, misreading the label, ``Sex0 M``:
   see :func:`~idstream.graph_ie.postprocess.split_inline_label`). Such a segment holds a
   value, so its label's distribution weighs more (:data:`INLINE_WEIGHT`); only labels
   that announce one field (:func:`field_labels`) count here, not titles (``PASSPORT``
   in ``PASSPORT OFFICE``);
2. the nearest segment left of it on the same line, when that segment is a label;
3. else the nearest segment above it (overlapping horizontally or left-aligned, at most
   1.5 text heights away), when that segment is a label.

Labels misread by OCR are matched to the closest known label (similarity >= 0.8). A
bilingual label (``DATA URODZENIA / DATE OF BIRTH``) also teaches each of its parts,
so that a layout printing only one language's label still finds it.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from idstream.graph_ie.postprocess import _label_key, split_inline_label

__all__ = [
    "LabelFields",
    "announced_labels",
    "apply_label_prior",
    "field_labels",
    "learn_label_fields",
    "match_label",
]

#: Label key to ``{class label: share}`` of the segments it announced in training.
LabelFields = Mapping[str, Mapping[str, float]]

_FUZZY_CUTOFF = 0.8
#: Weight of the printed label's distribution in the mixture with the model's probabilities.
DEFAULT_WEIGHT = 0.5
#: The same for a segment holding its label and a value (``15 SEX M``): the network, which
#: sees the label's words, tends to call it ``other``.
INLINE_WEIGHT = 0.85
#: Share of one field a label must announce to be a field label, not a title.
FIELD_LABEL_SHARE = 0.75


def field_labels(label_fields: LabelFields, min_share: float = FIELD_LABEL_SHARE) -> list[str]:
    """The labels that announce one field (``SEX`` -> ``sex``), not titles (``PASSPORT``, ``IDENTITY CARD``).

    Args:
        label_fields: what :func:`learn_label_fields` returned.
        min_share: share of the segments it announced that one field (not ``other``) must have.

    Returns:
        The keys, sorted.
    """
    return sorted(
        k
        for k, row in label_fields.items()
        if max((v for c, v in row.items() if c != "other"), default=0.0) >= min_share
    )


@functools.lru_cache(maxsize=4096)
def _closest(key: str, keys: tuple[str, ...]) -> str | None:
    found = difflib.get_close_matches(key, keys, n=1, cutoff=_FUZZY_CUTOFF)
    return found[0] if found else None


#: Where a bilingual label changes language: its slash, or the slash OCR read as ``l``, ``I``,
#: ``1`` or ``|`` at the end of a word ("Sexl Sexe", "Date of issuel Date de delivrance").
_LANGUAGE_BREAK = re.compile(r"\s*/\s*|(?<=[A-Z])[LI1|]\s+(?=[A-Z])")


def match_label(text: str, keys: Sequence[str]) -> str | None:
    """The known label key ``text`` is (exactly, or the closest one when misread), else ``None``."""
    key = _label_key(text)
    if len(key) < 2 or sum(c.isdigit() for c in key) > len(key) // 4:  # a value, not a misread label
        return None
    if key in keys:
        return key
    found = _closest(key, tuple(keys)) if len(key) >= 4 else None
    if found is None and _LANGUAGE_BREAK.search(key):
        # a bilingual label not learned whole, its slash misread: "Authorityl Autorite"
        for part in _LANGUAGE_BREAK.split(key):
            if len(part) >= 3 and part in keys:
                return part
    return found


def announced_labels(
    texts: Sequence[str],
    boxes: npt.NDArray[np.float64],
    keys: Sequence[str],
    inline_keys: Sequence[str] | None = None,
) -> list[str | None]:
    """For each segment, the key of the printed label that announces it (``None``: none, or a label itself).

    Args:
        texts: segment texts in reading order.
        boxes: their ``(N, 4)`` boxes ``(x0, y0, x1, y1)``.
        keys: the known label keys.
        inline_keys: the keys looked for at the start of a segment (default: ``keys``).
    """
    return [key for key, _ in _announce(texts, boxes, keys, keys if inline_keys is None else inline_keys)]


def _announce(
    texts: Sequence[str], boxes: npt.NDArray[np.float64], keys: Sequence[str], inline_keys: Sequence[str]
) -> list[tuple[str | None, bool]]:
    """``(label key, printed in the segment itself)`` per segment (see :func:`announced_labels`)."""
    n = len(texts)
    inline_t, keys_t = tuple(inline_keys), tuple(keys)
    inline = [split_inline_label(t, inline_t, keys_t) for t in texts]
    as_label = [None if inline[i] else match_label(t, keys) for i, t in enumerate(texts)]
    out: list[tuple[str | None, bool]] = [(None, False)] * n
    for i in range(n):
        if as_label[i] is not None:
            continue
        found = inline[i]
        if found is not None:
            out[i] = (found[0], True)
            continue
        x0, y0, x1, y1 = boxes[i]
        h = max(float(y1 - y0), 1.0)
        left: tuple[float, int] | None = None
        above: tuple[float, int] | None = None
        for j in range(n):
            if j == i:
                continue
            a0, b0, a1, b1 = boxes[j]
            vover = min(y1, b1) - max(y0, b0)
            if vover > 0.5 * min(h, float(b1 - b0)) and a1 <= x0 + 0.25 * h:
                gap = float(x0 - a1)
                if left is None or gap < left[0]:
                    left = (gap, j)
            elif b1 <= y0 + 0.25 * h and y0 - b1 < 1.5 * h:
                hover = min(x1, a1) - max(x0, a0)
                if hover > 0 or abs(a0 - x0) < 2 * h:
                    gap = float(y0 - b1)
                    if above is None or gap < above[0]:
                        above = (gap, j)
        for near in (left, above):
            if near is not None and as_label[near[1]] is not None:
                out[i] = (as_label[near[1]], False)
                break
    return out


def _variants(key: str | None) -> list[str]:
    """A label key and, for a bilingual label (``DATA URODZENIA / DATE OF BIRTH``), each language's part."""
    if key is None:
        return []
    parts = [p.strip() for p in key.split("/")] if "/" in key else []
    return [key, *(p for p in parts if len(p) > 1 and p != key)]


def learn_label_fields(
    docs: Sequence[tuple[Sequence[str], npt.NDArray[np.float64], Sequence[str]]],
    keys: Sequence[str],
    min_count: int = 5,
) -> dict[str, dict[str, float]]:
    """Count which class each printed label announces in labelled documents.

    Args:
        docs: ``(texts, boxes, class labels)`` per document, in reading order.
        keys: the known label keys (the label lexicon).
        min_count: how often a label must announce a segment to be kept.

    Returns:
        Label key to ``{class label: share}`` (shares rounded to 4 digits).
    """
    counts: dict[str, dict[str, int]] = {}
    for texts, boxes, labels in docs:
        for i, key in enumerate(announced_labels(texts, boxes, keys)):
            for variant in _variants(key):
                row = counts.setdefault(variant, {})
                row[labels[i]] = row.get(labels[i], 0) + 1
    out: dict[str, dict[str, float]] = {}
    for key, row in sorted(counts.items()):
        total = sum(row.values())
        if total >= min_count:
            out[key] = {k: round(v / total, 4) for k, v in sorted(row.items())}
    return out


def apply_label_prior(
    probs: npt.NDArray[np.float32],
    texts: Sequence[str],
    boxes: npt.NDArray[np.float64],
    label_fields: LabelFields,
    classes: Sequence[str],
    weight: float = DEFAULT_WEIGHT,
    inline_weight: float = INLINE_WEIGHT,
    inline_keys: Sequence[str] | None = None,
) -> npt.NDArray[np.float32]:
    """Mix each announced segment's probabilities with its printed label's distribution.

    Args:
        probs: ``(N, C)`` class probabilities (rows sum to 1).
        texts: segment texts in reading order.
        boxes: ``(N, 4)`` boxes.
        label_fields: what :func:`learn_label_fields` returned (empty: no change).
        classes: the class labels of the columns of ``probs``.
        weight: share of the label's distribution in the mixture.
        inline_weight: the same for a segment that holds its label and a value.
        inline_keys: the labels looked for at the start of a segment (default:
            ``field_labels(label_fields)``; pass them when calling often).

    Returns:
        New ``(N, C)`` probabilities.
    """
    if not label_fields or len(texts) == 0:
        return probs
    index = {c: k for k, c in enumerate(classes)}
    keys = sorted(label_fields)
    out = probs.copy()
    starts = field_labels(label_fields) if inline_keys is None else inline_keys
    for i, (key, inline) in enumerate(_announce(texts, boxes, keys, starts)):
        if key is None:
            continue
        w = inline_weight if inline else weight
        prior = np.zeros(len(classes), dtype=np.float32)
        for label, share in label_fields[key].items():
            if label in index:
                prior[index[label]] = share
        if prior.sum() > 0:
            out[i] = (1.0 - w) * probs[i] + w * prior / prior.sum()
    return out
