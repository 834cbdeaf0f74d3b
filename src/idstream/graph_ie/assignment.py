"""Which segment holds which value, for fields the document holds once.

* dates of the schema's ``date_sequence`` (birth, issue, expiry): the assignment of
  date segments to fields that covers the most fields and keeps them chronological;
* the day/month order of a document's numeric dates;
* pieces of one value that OCR split on one line (``21`` ``JULY`` ``86``);
* other single-segment fields: one segment per field and one field per segment.

Numpy and the standard library only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from idstream.graph_ie.normalize import date_order_evidence, find_date
from idstream.graph_ie.schema import Schema

__all__ = ["assign_dates", "assign_single_fields", "document_date_order", "line_runs"]

#: Reward of each assigned date field: covering more fields beats any likelihood difference.
_ASSIGN_BONUS = 100.0
#: Probability of its second most likely field at which a displaced segment takes that field.
_SECOND_CHOICE = 0.2


def assign_dates(
    texts: Sequence[str],
    probs: npt.NDArray[np.float32],
    schema: Schema,
    order: str,
    candidates: Sequence[int],
) -> dict[str, int]:
    """Assign date segments to the schema's ``date_sequence`` fields, chronologically consistent.

    Among the candidate segments (dates the model or the text points to), choose the
    one-to-one assignment to fields that covers the most fields and, among those, is
    the most likely (the product of each segment's probability of its field relative
    to its probability of being any of these dates), while the dates increase along
    the sequence (birth < issue < expiry). Two-digit years are read in the role of
    each field; a birth or issue date cannot lie in the future.

    Returns:
        Field name to node index, for the fields assigned.
    """
    seq = list(schema.date_sequence)
    cols = [schema.labels.index(f) for f in seq]
    mass = np.maximum(probs[:, cols].sum(axis=1), 1e-6)
    iso: dict[tuple[int, int], str] = {}
    today = dt.date.today().isoformat()
    for i in candidates:
        for r, name in enumerate(seq):
            found = find_date(texts[i], order=order, role=schema.spec(name).date_role)
            if found is not None and not (schema.spec(name).date_role == "past" and found.iso > today):
                iso[(i, r)] = found.iso
    best: tuple[float, dict[str, int]] = (-math.inf, {})

    def search(k: int, used: list[int | None], score: float) -> None:
        nonlocal best
        if k == len(candidates):
            dates = [(r, iso[(candidates[j], r)]) for j, r in enumerate(used) if r is not None]
            dates.sort()
            if all(a[1] < b[1] for a, b in itertools.pairwise(dates)) and score > best[0]:
                best = (score, {seq[r]: candidates[j] for j, r in enumerate(used) if r is not None})
            return
        search(k + 1, [*used, None], score)
        for r in range(len(seq)):
            if r not in used and (candidates[k], r) in iso:
                q = max(float(probs[candidates[k], cols[r]]) / mass[candidates[k]], 1e-4)
                search(k + 1, [*used, r], score + _ASSIGN_BONUS + math.log(q))

    search(0, [], 0.0)
    return best[1]


def document_date_order(texts: Sequence[str], date_texts: Sequence[str], schema: Schema) -> tuple[str, bool]:
    """The day/month order of a document's numeric dates, and whether it is settled.

    A date that can only be read one way (``24/10/1966``) settles the order of every
    date of the document; else a locale hint word of the schema printed on the
    document (``DLN``, ``DOB`` on US licences) does; else the schema's order applies,
    unsettled.
    """
    for text in date_texts:
        found = date_order_evidence(text)
        if found:
            return found, True
    words = {w for t in texts for w in re.split(r"[^A-Z]+", t.upper()) if w}
    joined = " | ".join(t.upper() for t in texts)
    for order, hints in schema.locale_hints.items():
        for hint in hints:
            if (" " in hint and hint in joined) or hint in words:
                return order, True
    return schema.date_order, False


def line_runs(
    boxes: npt.NDArray[np.float64], best: npt.NDArray[np.int64], cols: Sequence[int]
) -> dict[int, list[int]]:
    """Pieces of one value split by OCR on one line (``21`` ``JULY/JUILLET`` ``20``), for classes ``cols``.

    Consecutive nodes (reading order) of the same most likely class among ``cols``, on
    the same line and at most two text heights apart, form a run.

    Returns:
        First node of each run of two or more nodes to the run's nodes.
    """
    runs: dict[int, list[int]] = {}
    k = 0
    n = len(best)
    while k < n:
        run = [k]
        if int(best[k]) in cols:
            while run[-1] + 1 < n:
                a, b = boxes[run[-1]], boxes[run[-1] + 1]
                h = max(min(a[3] - a[1], b[3] - b[1]), 1.0)
                same_line = min(a[3], b[3]) - max(a[1], b[1]) > 0.5 * h
                if best[run[-1] + 1] != best[k] or not same_line or not -h < b[0] - a[2] < 2 * h:
                    break
                run.append(run[-1] + 1)
        if len(run) > 1:
            runs[k] = run
        k = run[-1] + 1
    return runs


def assign_single_fields(
    probs: npt.NDArray[np.float32], schema: Schema, nodes: Sequence[int]
) -> dict[str, int]:
    """One segment per single-segment field, one field per segment, most probable pairs first.

    Only segments whose most likely class is a single-segment field take part (dates
    of the schema's ``date_sequence`` and amounts are chosen elsewhere). When two
    segments claim the same field (two ``BRX`` printed as issuing country and as
    nationality), the less probable one takes its next most likely free field of
    that kind, if that field has a probability of at least :data:`_SECOND_CHOICE`.

    Returns:
        Field name to node index.
    """
    labels = schema.labels
    names = [
        f.name
        for f in schema.fields
        if not f.multi_segment and f.type != "amount" and f.name not in schema.date_sequence
    ]
    cols = [labels.index(n) for n in names]
    best = probs.argmax(axis=1)
    claim = [i for i in nodes if int(best[i]) in cols]
    pairs = sorted(
        (
            (float(probs[i, c]), i, name)
            for i in claim
            for c, name in zip(cols, names, strict=True)
            if int(best[i]) == c or probs[i, c] >= _SECOND_CHOICE
        ),
        reverse=True,
    )
    out: dict[str, int] = {}
    used: set[int] = set()
    for _, i, name in pairs:
        if name not in out and i not in used:
            out[name] = i
            used.add(i)
    return out
