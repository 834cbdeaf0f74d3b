"""Training-time variation of labelled documents, so that ground-truth annotations look like OCR output.

A real OCR engine merges words of one line that a generator wrote as separate
segments (``Surname: DOE`` read as one box), splits others at spaces, misreads
characters and returns boxes that are a few pixels off; the rectified document is
never exactly the card frame either. :func:`augment_document` applies all of these
at random (standard library and numpy only).
"""

from __future__ import annotations

import random

from idstream.document import Quad, Segment
from idstream.graph_ie.dataset import LabeledDocument
from idstream.graph_ie.schema import OTHER

__all__ = ["augment_document", "noisy_text", "shuffle_fields"]

_CONFUSIONS = {
    "0": "O", "O": "0", "1": "I", "I": "1", "l": "1", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z",
    "Z": "2", "6": "G", "G": "6", "E": "F", "M": "N", "N": "M", "U": "V", "V": "U", ".": ",", ",": ".",
}  # fmt: skip


def noisy_text(text: str, rng: random.Random, rate: float) -> str:
    """Misread characters at ``rate``: confusable substitutions, drops and doubled spaces."""
    out: list[str] = []
    for ch in text:
        r = rng.random()
        if r < rate * 0.6 and ch in _CONFUSIONS:
            out.append(_CONFUSIONS[ch])
        elif r < rate * 0.8:
            continue
        else:
            out.append(ch)
    return "".join(out) or text


def _box(q: Quad) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in q], [p[1] for p in q]
    return min(xs), min(ys), max(xs), max(ys)


def _quad(x0: float, y0: float, x1: float, y1: float) -> Quad:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _label_of(value: int, boxes: list[tuple[float, float, float, float]], labels: list[str]) -> int | None:
    """The ``other`` segment printed as the label of segment ``value``: just above it or left of it."""
    x0, y0, x1, y1 = boxes[value]
    h = max(y1 - y0, 1.0)
    best: tuple[float, int] | None = None
    for j, (a0, b0, a1, b1) in enumerate(boxes):
        if j == value or labels[j] != OTHER:
            continue
        above = 0 <= y0 - b1 < 1.5 * h and min(x1, a1) - max(x0, a0) > 0 and abs(a0 - x0) < 2 * h
        left = min(y1, b1) - max(y0, b0) > 0.5 * min(h, b1 - b0) and 0 <= x0 - a1 < 3 * h
        if above or left:
            dist = (y0 - b1) if above else (x0 - a1)
            if best is None or dist < best[0]:
                best = (dist, j)
    return best[1] if best else None


def shuffle_fields(doc: LabeledDocument, rng: random.Random, share: float = 0.5) -> LabeledDocument:
    """Move (label, value) pairs to each other's places, imitating layouts that order fields differently.

    Args:
        doc: the labelled document.
        rng: random source.
        share: share of the field pairs taking part in the permutation.
    """
    boxes = [_box(s.doc_quad or s.quad) for s in doc.segments]
    pairs: list[tuple[int, int | None]] = []
    used: set[int] = set()
    for i, label in enumerate(doc.labels):
        if label in (OTHER, "mrz"):
            continue
        lab = _label_of(i, boxes, doc.labels)
        if lab is not None and lab in used:
            lab = None
        pairs.append((i, lab))
        used.add(i)
        if lab is not None:
            used.add(lab)
    chosen = [p for p in pairs if rng.random() < share]
    if len(chosen) < 2:
        return doc
    anchors = [boxes[lab if lab is not None else v][:2] for v, lab in chosen]
    cycle = list(range(len(chosen)))
    rng.shuffle(cycle)
    targets = anchors[:]
    for pos, k in enumerate(cycle):  # a cyclic permutation: every chosen pair moves
        targets[k] = anchors[cycle[(pos + 1) % len(cycle)]]
    moved: dict[int, tuple[float, float]] = {}
    for (v, lab), (ax, ay), (tx, ty) in zip(chosen, anchors, targets, strict=True):
        for member in (v, lab):
            if member is not None:
                moved[member] = (tx - ax, ty - ay)
    segments = []
    for k, seg in enumerate(doc.segments):
        dx, dy = moved.get(k, (0.0, 0.0))
        x0, y0, x1, y1 = boxes[k]
        segments.append(Segment(seg.text, _quad(x0 + dx, y0 + dy, x1 + dx, y1 + dy), seg.confidence))
    return LabeledDocument(
        doc.name, segments, doc.doc_size, list(doc.labels), dict(doc.fields), doc.doc_type, doc.layout
    )


def augment_document(
    doc: LabeledDocument,
    rng: random.Random,
    *,
    merge: float = 0.3,
    split: float = 0.15,
    char_rate: float = 0.02,
    jitter: float = 0.15,
    scale: float = 0.04,
) -> LabeledDocument:
    """Return a varied copy of ``doc`` (expected field values unchanged).

    Args:
        doc: the labelled document.
        rng: random source.
        merge: probability that a segment labelled ``other`` is merged with its right
            neighbour on the same line (the merged segment takes the neighbour's label).
        split: probability that a multi-word segment is split into words.
        char_rate: per-character misreading rate.
        jitter: box corner noise, in text heights.
        scale: random anisotropic scaling of the whole page (imperfect rectification).
    """
    boxes = [_box(s.doc_quad or s.quad) for s in doc.segments]
    items = sorted(range(len(boxes)), key=lambda i: ((boxes[i][1] + boxes[i][3]) / 2, boxes[i][0]))
    texts = {i: doc.segments[i].text for i in items}
    labels = {i: doc.labels[i] for i in items}
    merged: set[int] = set()
    out_segments: list[tuple[str, tuple[float, float, float, float], str]] = []
    for pos, i in enumerate(items):
        if i in merged:
            continue
        text, (x0, y0, x1, y1), label = texts[i], boxes[i], labels[i]
        h = y1 - y0
        nxt = items[pos + 1] if pos + 1 < len(items) else None
        if nxt is not None and label == OTHER and rng.random() < merge:
            bx0, by0, bx1, by1 = boxes[nxt]
            same_line = min(y1, by1) - max(y0, by0) > 0.5 * min(h, by1 - by0)
            if same_line and 0 <= bx0 - x1 < 2.5 * h and labels[nxt] != "mrz":
                text = f"{text} {texts[nxt]}"
                x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
                label = labels[nxt]
                merged.add(nxt)
        words = text.split()
        if len(words) > 1 and label != "mrz" and rng.random() < split:
            width = x1 - x0
            total = sum(len(w) for w in words) + len(words) - 1
            cursor = x0
            for w in words:
                ww = width * len(w) / max(total, 1)
                out_segments.append((w, (cursor, y0, cursor + ww, y1), label))
                cursor += ww + width / max(total, 1)
            continue
        out_segments.append((text, (x0, y0, x1, y1), label))
    sx, sy = 1.0 + rng.uniform(-scale, scale), 1.0 + rng.uniform(-scale, scale)
    segments: list[Segment] = []
    out_labels: list[str] = []
    for text, (x0, y0, x1, y1), label in out_segments:
        h = max(y1 - y0, 1.0)
        j = [rng.gauss(0.0, jitter * h) for _ in range(4)]
        quad = _quad((x0 + j[0]) * sx, (y0 + j[1]) * sy, (x1 + j[2]) * sx, (y1 + j[3]) * sy)
        if label != "mrz":
            text = noisy_text(text, rng, char_rate)
        segments.append(Segment(text, quad, 1.0))
        out_labels.append(label)
    size = (int(doc.doc_size[0] * sx), int(doc.doc_size[1] * sy))
    return LabeledDocument(doc.name, segments, size, out_labels, dict(doc.fields), doc.doc_type, doc.layout)
