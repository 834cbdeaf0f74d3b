"""From per-segment labels to field values (numpy and the standard library only).

Steps, per field of the schema:

1. take the segments whose most likely label is the field; dates of the schema's
   ``date_sequence`` and other single-segment fields are assigned one segment per
   field and one field per segment (:mod:`~idstream.graph_ie.assignment`);
2. merge: a multi-segment field keeps the group of vertically adjacent segments
   with the largest total probability (a two-line address, a given name printed in
   pieces), drops a line that a longer line below repeats (a logo above the full
   name) and joins it in reading order; an amount prefers a segment printing a
   decimal amount;
3. split: a segment that holds a printed label and the value (``DATE: 25/12/2018``,
   ``Surname: DOE``) is cut to the value (dates and amounts are searched for,
   other single-segment values lose a ``label:`` prefix);
4. normalize the value by its type and compute the confidence: the mean calibrated
   probability of its segments, lowered when normalization failed or a date's day
   and month order is ambiguous.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from idstream.document import FieldValue, Quad
from idstream.graph_ie.assignment import assign_dates, assign_single_fields, document_date_order, line_runs
from idstream.graph_ie.normalize import (
    LIST_VOCABULARIES,
    find_amount,
    find_date,
    normalize_country,
    normalize_list,
    normalize_sex,
    strip_diacritics,
)
from idstream.graph_ie.schema import FieldSpec, Schema

__all__ = [
    "Cut",
    "assemble_fields",
    "assign_dates",
    "assign_single_fields",
    "build_label_lexicon",
    "cut_value",
    "document_date_order",
    "drop_repeats",
    "is_known_label",
    "join_segments",
    "line_runs",
    "merge_groups",
    "split_inline_label",
    "strip_known_label",
    "strip_label",
    "union_quad",
]

_LABEL_PREFIX = re.compile(r"^\s*([^\d:]{1,32}?)\s*:\s*(?=\S)")
_AMBIGUOUS_FACTOR = 0.6
#: Date-field probability mass above which a segment competes for the schema's date sequence.
_DATE_CANDIDATE = 0.2
_UNPARSED_FACTOR = 0.5
_DECIMAL = re.compile(r"\d[.,]\d{2}(?![0-9])")


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
    return " ".join(key.rstrip(" :;.,").upper().split())


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


def strip_known_label(text: str, lexicon: Sequence[str]) -> str:
    """Drop a printed label the model saw in training from the start of ``text``.

    ``4d DLN 68RZ11180`` -> ``68RZ11180`` when ``DLN`` is in the lexicon; text that is
    only a label, or starts with none, is returned unchanged.
    """
    m = _lexicon_pattern(tuple(lexicon)).match(text.upper())
    if m:
        return text[m.end() :].strip()
    return text


#: A field number glued to its label by OCR (``1RESTR``, ``#CLASS``): cut before matching.
_GLUED_NUMBER = re.compile(r"^[#\d]{1,2}[.:]?(?=[A-Za-z]{3})")
#: Similarity from which a misread label at the start of a segment counts (``SEX0``, ``GESCHIECHT``).
_INLINE_CUTOFF = 0.75
_INLINE_MAX_WORDS = 4
#: Similarity from which what follows a label is itself a label (``Gien names``), not a value
#: (``NONE`` is not ``NOME``).
_REST_LABEL_CUTOFF = 0.85


def _unaccent(text: str) -> str:
    text = text.replace("Ł", "L").replace("Ø", "O").replace("İ", "I").replace("Đ", "D")
    return strip_diacritics(text)


@functools.lru_cache(maxsize=16)
def _keys_by_length(keys: tuple[str, ...]) -> dict[int, list[tuple[str, str]]]:
    """Keys without diacritics, grouped by length."""
    out: dict[int, list[tuple[str, str]]] = {}
    for k in keys:
        plain = _unaccent(k)
        out.setdefault(len(plain), []).append((k, plain))
    return out


@functools.lru_cache(maxsize=8192)
def _fuzzy_key(key: str, keys: tuple[str, ...], cutoff: float) -> tuple[str | None, float]:
    """The closest key and its similarity, diacritics ignored, among keys of about the same length.

    ``PASSPORT`` is not ``PASSPORT NO`` cut short: a prefix of a longer label does not count.
    """
    best: tuple[str | None, float] = (None, 0.0)
    by_length = _keys_by_length(keys)
    tolerance = 1 + len(key) // 6
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(_unaccent(key))
    for length in range(len(key) - tolerance, len(key) + tolerance + 1):
        for k, plain in by_length.get(length, ()):
            matcher.set_seq1(plain)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                continue
            r = matcher.ratio()
            if r >= cutoff and r > best[1]:
                best = (k, r)
    return best


def _is_label(text: str, lexicon: tuple[str, ...]) -> bool:
    key = _label_key(text)
    if key in _lexicon_set(lexicon):
        return True
    return len(key) >= 4 and _fuzzy_key(key, lexicon, _REST_LABEL_CUTOFF)[0] is not None


@functools.lru_cache(maxsize=8192)
def _split_inline(text: str, lexicon: tuple[str, ...], whole_keys: tuple[str, ...]) -> tuple[str, str] | None:
    keys = _lexicon_set(lexicon)
    whole = _label_key(text)
    if whole in keys or whole in _lexicon_set(whole_keys):
        return None  # a label or title alone
    tokens = re.sub(r"([:;])(?=\S)", r"\1 ", text).split()
    best: tuple[float, int, str] | None = None
    for k in range(1, min(_INLINE_MAX_WORDS, len(tokens) - 1) + 1):
        rest = " ".join(tokens[k:]).strip(" :;")
        key = _label_key(_GLUED_NUMBER.sub("", " ".join(tokens[:k])))
        if not rest or len(key) < 2 or sum(c.isdigit() for c in key) > len(key) // 4:
            continue  # a value (``12/07``), not a label misread (``SEX0``)
        if key in keys:
            match, score = key, 1.0
        elif len(key) >= 4:
            found, score = _fuzzy_key(key, lexicon, _INLINE_CUTOFF)
            if found is None:
                continue
            match = found
        else:
            continue
        if rest[0] in "/|{([\\" or _is_label(rest, lexicon):
            continue  # the label's other language (``Adi / Gien names``), not a value
        if best is None or score >= best[0]:  # the longest of the best-matching prefixes
            best = (score, k, match)
    if best is None:
        return None
    if len(whole) >= 4 and best[0] <= _fuzzy_key(whole, whole_keys, _INLINE_CUTOFF)[1]:
        return None  # a (misread) label or title alone matches better than any label + value
    return best[2], " ".join(tokens[best[1] :]).strip(" :;")


def split_inline_label(
    text: str, lexicon: Sequence[str], whole_keys: Sequence[str] | None = None
) -> tuple[str, str] | None:
    """Split a segment that holds a printed label and its value, as OCR often reads them.

    ``15 SEX M`` -> ``("SEX", "M")``, ``Sex0 M`` -> ``("SEX", "M")`` (a misread label is
    matched to the closest label of the lexicon of about the same length), ``1RESTR B``
    -> ``("RESTR", "B")``. ``None`` when the segment does not start with a label, is a
    label alone, or is better read as one misread label or title (``Dale de nalssance``,
    ``DOCUMENTO NACIONAL DE IDENTIDAD``, which starts like ``DOCUMENT NO``).

    Args:
        text: the segment's text.
        lexicon: the printed labels looked for at the start (keys as
            :func:`build_label_lexicon` returns them).
        whole_keys: the printed labels and titles the whole segment may be
            (default: ``lexicon``).

    Returns:
        ``(label key, value text)`` or ``None``.
    """
    if not lexicon or (len(text.split()) < 2 and not re.search(r"[:;]\S", text)):
        return None
    lex = tuple(lexicon)
    return _split_inline(text, lex, lex if whole_keys is None else tuple(whole_keys))


def _strip_any_label(text: str, labels: Sequence[str], whole_keys: Sequence[str]) -> str:
    """:func:`strip_known_label`, else the value of :func:`split_inline_label` (a misread label)."""
    stripped = strip_known_label(text, labels)
    if stripped != text:
        return stripped
    split = split_inline_label(text, labels, whole_keys)
    return split[1] if split is not None else text


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


def _letters(text: str) -> str:
    return re.sub(r"[^0-9A-Z]+", "", text.upper())


def drop_repeats(group: Sequence[int], texts: Sequence[str]) -> list[int]:
    """Drop the lines of a multi-line value that another of its lines repeats.

    A shop name printed as a logo (``PREMIO``) above the full name (``PREMIO
    STATIONERY SDN BHD``), or the same line printed twice, is kept once: a line whose
    letters and digits occur inside a longer line below it (or equal an earlier line)
    is dropped.

    Args:
        group: node indices in reading order.
        texts: the texts of all nodes.
    """
    keys = {i: _letters(texts[i]) for i in group}
    kept: list[int] = []
    for k, i in enumerate(group):
        key = keys[i]
        if key and any(
            (len(keys[j]) > len(key) and key in keys[j] and m > k) or (keys[j] == key and m < k)
            for m, j in enumerate(group)
            if j != i
        ):
            continue
        kept.append(i)
    return kept or list(group)


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
        return Cut(normalize_list(raw, LIST_VOCABULARIES.get(spec.name)), raw)
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
    value_labels: Sequence[str] | None = None,
) -> dict[str, FieldValue]:
    """Turn per-segment probabilities into field values.

    Args:
        texts: segment texts in reading order.
        boxes: ``(N, 4)`` boxes in document coordinates (reading order).
        quads: the segments' quads in original-image coordinates (reading order).
        probs: ``(N, C)`` calibrated class probabilities, classes as ``schema.labels``.
        schema: the field schema.
        lexicon: printed labels (see :func:`build_label_lexicon`): a segment that is only
            one of them is no value, and they are cut from the start of value segments.
        value_labels: the labels cut from the start of value segments, also when misread
            (:func:`split_inline_label`; default ``lexicon``): the model's field labels,
            not titles (``PASSPORT`` is no label of ``PASSPORT OFFICE``).

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
    runs: dict[int, list[int]] = {}
    if schema.date_sequence:
        seq_cols = [labels.index(f) for f in schema.date_sequence]
        runs = line_runs(boxes, best, seq_cols)
        inside = {j for run in runs.values() for j in run[1:]}
        date_texts = [
            " ".join(texts[j] for j in runs[i]) if i in runs else texts[i] for i in range(len(texts))
        ]
        mass = probs[:, seq_cols].sum(axis=1)
        skip = {labels.index(x) for x in schema.extra_labels}
        ranked = [
            int(i)
            for i in np.argsort(-mass)
            if int(i) not in inside
            and (
                mass[i] >= _DATE_CANDIDATE
                or (best[i] not in skip and find_date(date_texts[i], order=order) is not None)
            )
        ]
        dated = assign_dates(
            date_texts, probs, schema, order, [i for i in ranked if not is_known_label(texts[i], lexicon)][:5]
        )
    in_dates = {j for i in dated.values() for j in runs.get(i, [i])}
    singles = assign_single_fields(
        probs,
        schema,
        [i for i in range(len(texts)) if not is_known_label(texts[i], lexicon) and i not in in_dates],
    )
    taken = in_dates | set(singles.values())  # a segment holds one value
    out: dict[str, FieldValue] = {}
    for spec in schema.fields:
        c = labels.index(spec.name)
        if spec.name in schema.date_sequence:
            nodes = [dated[spec.name]] if spec.name in dated else []
        elif spec.name in singles:
            nodes = [singles[spec.name]]
        else:
            nodes = [
                int(i)
                for i in np.flatnonzero(best == c)
                if not is_known_label(texts[int(i)], lexicon) and int(i) not in taken
            ]
        if not nodes:
            continue
        if spec.multi_segment:
            groups = merge_groups(nodes, boxes)
            chosen = drop_repeats(max(groups, key=lambda g: float(probs[g, c].sum())), texts)
        elif spec.type == "amount":  # a printed amount ("6.00") before a bare number ("6")
            chosen = [max(nodes, key=lambda i: (_DECIMAL.search(texts[i]) is not None, float(probs[i, c])))]
        else:
            chosen = [max(nodes, key=lambda i: float(probs[i, c]))]
        if spec.name in schema.date_sequence:
            chosen = runs.get(chosen[0], chosen)
        cut_labels = lexicon if value_labels is None else value_labels
        parts = [_strip_any_label(texts[i], cut_labels, lexicon) if cut_labels else texts[i] for i in chosen]
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
