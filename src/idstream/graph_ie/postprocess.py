"""From per-segment labels to field values (numpy and the standard library only).

Steps, per field of the schema:

1. take the segments whose most likely label is the field;
2. merge: a multi-segment field keeps the group of vertically adjacent segments
   with the largest total probability (a two-line address, a given name printed in
   pieces) and joins it in reading order; a single-segment field keeps the most
   probable segment;
3. split: a segment that holds a printed label and the value (``DATE: 25/12/2018``,
   ``Surname: DOE``) is cut to the value (dates and amounts are searched for,
   other single-segment values lose a ``label:`` prefix);
4. normalize the value by its type and compute the confidence: the mean calibrated
   probability of its segments, lowered when normalization failed or a date's day
   and month order is ambiguous.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from idstream.document import FieldValue, Quad
from idstream.graph_ie.normalize import (
    date_order_evidence,
    find_amount,
    find_date,
    normalize_country,
    normalize_list,
    normalize_sex,
)
from idstream.graph_ie.schema import FieldSpec, Schema

__all__ = [
    "Cut",
    "assemble_fields",
    "assign_dates",
    "build_label_lexicon",
    "cut_value",
    "document_date_order",
    "is_known_label",
    "join_segments",
    "merge_groups",
    "strip_known_label",
    "strip_label",
    "union_quad",
]

_LABEL_PREFIX = re.compile(r"^\s*([^\d:]{1,32}?)\s*:\s*(?=\S)")
_AMBIGUOUS_FACTOR = 0.6
#: Date-field probability mass above which a segment competes for the schema's date sequence.
_DATE_CANDIDATE = 0.2
#: Reward of each assigned date field: covering more fields beats any likelihood difference.
_ASSIGN_BONUS = 100.0
_UNPARSED_FACTOR = 0.5


@dataclass(frozen=True, slots=True)
class Cut:
    """A value cut out of text: ``value`` normalized, ``raw`` as printed, ``factor`` on confidence."""

    value: str
    raw: str
    factor: float = 1.0


def strip_label(text: str) -> str:
    """Drop a printed ``label:`` prefix (``Surname: DOE`` -> ``DOE``); other text is kept."""
    m = _LABEL_PREFIX.match(text)
    return text[m.end() :].strip() if m else text.strip()


_FIELD_NUMBER = r"(?:\d{1,2}[A-Za-z]?\.?\s+)?"


def _label_key(text: str) -> str:
    """A printed label without its field number and trailing colon, upper case."""
    key = re.sub(rf"^{_FIELD_NUMBER}", "", text.strip())
    return " ".join(key.rstrip(" :.").upper().split())


def build_label_lexicon(texts: Sequence[str], min_count: int = 3) -> list[str]:
    """The printed labels seen in training: texts of ``other`` segments seen ``min_count`` times.

    Args:
        texts: texts of segments labelled ``other`` in the training documents.
        min_count: how often a label must appear to be kept.

    Returns:
        Label keys (field numbers and colons removed, upper case), longest first.
    """
    counts: dict[str, int] = {}
    for text in texts:
        key = _label_key(text)
        if 1 < len(key) <= 40 and not any(c.isdigit() for c in key):
            counts[key] = counts.get(key, 0) + 1
    return sorted((k for k, c in counts.items() if c >= min_count), key=lambda k: (-len(k), k))


@functools.lru_cache(maxsize=8)
def _lexicon_pattern(lexicon: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(k) for k in sorted(lexicon, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"\s*{_FIELD_NUMBER}(?:{alternatives})\s*[:.]?\s+(?=\S)")


def is_known_label(text: str, lexicon: Sequence[str]) -> bool:
    """Whether ``text`` is only a printed label of the lexicon (``8 ADDR``, ``Surname:``)."""
    return bool(lexicon) and _label_key(text) in _lexicon_set(tuple(lexicon))


@functools.lru_cache(maxsize=8)
def _lexicon_set(lexicon: tuple[str, ...]) -> frozenset[str]:
    return frozenset(lexicon)


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


def strip_known_label(text: str, lexicon: Sequence[str]) -> str:
    """Drop a printed label the model saw in training from the start of ``text``.

    ``4d DLN 68RZ11180`` -> ``68RZ11180`` when ``DLN`` is in the lexicon; text that is
    only a label, or starts with none, is returned unchanged.
    """
    m = _lexicon_pattern(tuple(lexicon)).match(text.upper())
    if m:
        return text[m.end() :].strip()
    return text


def union_quad(quads: Sequence[Quad]) -> Quad:
    """The axis-aligned quadrilateral around several quadrilaterals (clockwise from top-left)."""
    xs = [p[0] for q in quads for p in q]
    ys = [p[1] for q in quads for p in q]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def merge_groups(nodes: Sequence[int], boxes: npt.NDArray[np.float64], gap: float = 1.2) -> list[list[int]]:
    """Group nodes (in reading order) into runs of vertically adjacent boxes.

    Two consecutive nodes belong together when the vertical gap between them is at
    most ``gap`` times the text height and they overlap horizontally or share a line.

    Args:
        nodes: node indices in reading order.
        boxes: ``(N, 4)`` boxes of all nodes.
        gap: allowed vertical gap, in text heights.
    """
    groups: list[list[int]] = []
    for i in nodes:
        if groups:
            g = groups[-1]
            gb = boxes[g]
            top, bottom = gb[:, 1].min(), gb[:, 3].max()
            left, right = gb[:, 0].min(), gb[:, 2].max()
            h = float(np.median(gb[:, 3] - gb[:, 1]))
            b = boxes[i]
            vgap = max(0.0, b[1] - bottom, top - b[3])
            hover = min(right, b[2]) - max(left, b[0])
            same_line = vgap == 0.0
            if vgap <= gap * max(h, 1.0) and (hover > -2.0 * h or same_line):
                g.append(i)
                continue
        groups.append([i])
    return groups


def join_segments(texts: Sequence[str], boxes: npt.NDArray[np.float64], sep: str = " ") -> str:
    """Join segments in reading order: a space within a line, ``sep`` between lines.

    Args:
        texts: the segments' texts, in reading order.
        boxes: their ``(N, 4)`` boxes.
        sep: line separator; not added after a line that already ends with it.
    """
    out = ""
    for k, text in enumerate(texts):
        if k == 0:
            out = text.strip()
            continue
        a, b = boxes[k - 1], boxes[k]
        same_line = min(a[3], b[3]) - max(a[1], b[1]) > 0.5 * min(a[3] - a[1], b[3] - b[1])
        glue = " " if same_line or out.rstrip().endswith(sep.strip() or " ") else sep
        out = f"{out.rstrip()}{glue}{text.strip()}"
    return out


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


def cut_value(text: str, spec: FieldSpec, date_order: str = "DMY", order_settled: bool = False) -> Cut | None:
    """Cut and normalize the value of ``spec`` out of ``text`` (``None``: nothing usable).

    Args:
        text: the joined text of the field's segments.
        spec: the field.
        date_order: how ambiguous numeric dates are read.
        order_settled: the document settles the order: no ambiguity penalty.
    """
    if spec.strip:
        text = re.sub(spec.strip, "", text).strip()
    if spec.type == "date":
        found = find_date(text, order=date_order, role=spec.date_role)
        if found is None:
            raw = strip_label(text)
            return Cut(raw, raw, _UNPARSED_FACTOR) if raw else None
        factor = _AMBIGUOUS_FACTOR if found.ambiguous and not order_settled else 1.0
        return Cut(found.iso if spec.normalize else found.raw, found.raw, factor)
    if spec.type == "amount":
        amount = find_amount(text)
        return Cut(amount, amount) if amount else None
    raw = text.strip() if spec.multi_segment else strip_label(text)
    if not raw:
        return None
    if not spec.normalize:
        return Cut(raw, raw)
    if spec.type == "sex":
        sex = normalize_sex(raw)
        return Cut(sex, raw) if sex else Cut(raw, raw, _UNPARSED_FACTOR)
    if spec.type == "country":
        code = normalize_country(raw)
        return Cut(code, raw) if code else Cut(raw, raw, _UNPARSED_FACTOR)
    if spec.type == "list":
        return Cut(normalize_list(raw), raw)
    if spec.type == "code":
        return Cut(re.sub(r"\s+", "", raw).upper(), raw)
    return Cut(" ".join(raw.split()), raw)


def assemble_fields(
    texts: Sequence[str],
    boxes: npt.NDArray[np.float64],
    quads: Sequence[Quad],
    probs: npt.NDArray[np.float32],
    schema: Schema,
    lexicon: Sequence[str] = (),
) -> dict[str, FieldValue]:
    """Turn per-segment probabilities into field values.

    Args:
        texts: segment texts in reading order.
        boxes: ``(N, 4)`` boxes in document coordinates (reading order).
        quads: the segments' quads in original-image coordinates (reading order).
        probs: ``(N, C)`` calibrated class probabilities, classes as ``schema.labels``.
        schema: the field schema.
        lexicon: printed labels to cut from the start of value segments (see
            :func:`build_label_lexicon`).

    Returns:
        Field name to :class:`FieldValue` (``source="visual"``), for fields found.
    """
    labels = schema.labels
    if len(texts) == 0:
        return {}
    best = probs.argmax(axis=1)
    date_labels = [labels.index(f.name) for f in schema.fields if f.type == "date"]
    order, settled = document_date_order(
        texts, [texts[i] for i in range(len(texts)) if best[i] in date_labels], schema
    )
    dated: dict[str, int] = {}
    if schema.date_sequence:
        mass = probs[:, [labels.index(f) for f in schema.date_sequence]].sum(axis=1)
        skip = {labels.index(x) for x in schema.extra_labels}
        ranked = [
            int(i)
            for i in np.argsort(-mass)
            if mass[i] >= _DATE_CANDIDATE
            or (best[i] not in skip and find_date(texts[i], order=order) is not None)
        ]
        dated = assign_dates(
            texts, probs, schema, order, [i for i in ranked if not is_known_label(texts[i], lexicon)][:5]
        )
    out: dict[str, FieldValue] = {}
    for spec in schema.fields:
        c = labels.index(spec.name)
        if spec.name in schema.date_sequence:
            nodes = [dated[spec.name]] if spec.name in dated else []
        else:
            nodes = [int(i) for i in np.flatnonzero(best == c) if not is_known_label(texts[int(i)], lexicon)]
        if not nodes:
            continue
        if spec.multi_segment:
            groups = merge_groups(nodes, boxes)
            chosen = max(groups, key=lambda g: float(probs[g, c].sum()))
        else:
            chosen = [max(nodes, key=lambda i: float(probs[i, c]))]
        parts = [strip_known_label(texts[i], lexicon) if lexicon else texts[i] for i in chosen]
        text = join_segments(parts, boxes[chosen], spec.join)
        cut = cut_value(text, spec, order, settled)
        if cut is None:
            continue
        conf = float(np.mean(probs[chosen, c])) * cut.factor
        out[spec.name] = FieldValue(
            value=cut.value,
            raw=cut.raw,
            confidence=round(min(max(conf, 0.0), 1.0), 6),
            box=union_quad([quads[i] for i in chosen]),
            source="visual",
        )
    return out
