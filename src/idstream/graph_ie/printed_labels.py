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

1. a label of the lexicon printed at the start of the segment itself (``Surname: DOE``);
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
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from idstream.graph_ie.postprocess import _label_key, _lexicon_pattern

__all__ = ["LabelFields", "announced_labels", "apply_label_prior", "learn_label_fields", "match_label"]

#: Label key to ``{class label: share}`` of the segments it announced in training.
LabelFields = Mapping[str, Mapping[str, float]]

_FUZZY_CUTOFF = 0.8
#: Weight of the printed label's distribution in the mixture with the model's probabilities.
DEFAULT_WEIGHT = 0.5


@functools.lru_cache(maxsize=4096)
def _closest(key: str, keys: tuple[str, ...]) -> str | None:
    found = difflib.get_close_matches(key, keys, n=1, cutoff=_FUZZY_CUTOFF)
    return found[0] if found else None


def match_label(text: str, keys: Sequence[str]) -> str | None:
    """The known label key ``text`` is (exactly, or the closest one when misread), else ``None``."""
    key = _label_key(text)
    if len(key) < 2 or sum(c.isdigit() for c in key) > len(key) // 4:  # a value, not a misread label
        return None
    if key in keys:
        return key
    return _closest(key, tuple(keys)) if len(key) >= 4 else None


def _inline_label(text: str, keys: Sequence[str]) -> str | None:
    m = _lexicon_pattern(tuple(keys)).match(text.upper())
    if not m:
        return None
    return match_label(text[: m.end()], keys)


def announced_labels(
    texts: Sequence[str], boxes: npt.NDArray[np.float64], keys: Sequence[str]
) -> list[str | None]:
    """For each segment, the key of the printed label that announces it (``None``: none, or a label itself).

    Args:
        texts: segment texts in reading order.
        boxes: their ``(N, 4)`` boxes ``(x0, y0, x1, y1)``.
        keys: the known label keys.
    """
    n = len(texts)
    as_label = [match_label(t, keys) for t in texts]
    out: list[str | None] = [None] * n
    for i in range(n):
        if as_label[i] is not None:
            continue
        inline = _inline_label(texts[i], keys)
        if inline is not None:
            out[i] = inline
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
                out[i] = as_label[near[1]]
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
) -> npt.NDArray[np.float32]:
    """Mix each announced segment's probabilities with its printed label's distribution.

    Args:
        probs: ``(N, C)`` class probabilities (rows sum to 1).
        texts: segment texts in reading order.
        boxes: ``(N, 4)`` boxes.
        label_fields: what :func:`learn_label_fields` returned (empty: no change).
        classes: the class labels of the columns of ``probs``.
        weight: share of the label's distribution in the mixture.

    Returns:
        New ``(N, C)`` probabilities.
    """
    if not label_fields or len(texts) == 0:
        return probs
    index = {c: k for k, c in enumerate(classes)}
    keys = sorted(label_fields)
    out = probs.copy()
    for i, key in enumerate(announced_labels(texts, boxes, keys)):
        if key is None:
            continue
        prior = np.zeros(len(classes), dtype=np.float32)
        for label, share in label_fields[key].items():
            if label in index:
                prior[index[label]] = share
        if prior.sum() > 0:
            out[i] = (1.0 - weight) * probs[i] + weight * prior / prior.sum()
    return out
