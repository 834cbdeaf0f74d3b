"""Labelled documents for training and evaluation.

Two sources are read:

* the project's annotation format (written by ``idstream synth`` and the importers):
  one JSON file per document, ``{"kind", "layout", "size": [w, h], "lines": [{"quad",
  "text", "label"}], "fields": {...normalized values}}``;
* ICDAR SROIE task 3 as distributed (``box/NNN.csv`` OCR lines, ``key/NNN.json``
  values): segments are labelled by matching the key values to the lines (a line
  belongs to ``company``/``address`` when the value covers it, to ``date``/``total``
  when it contains the value; a total is preferably a line on the row of a
  ``TOTAL`` keyword).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from idstream.document import Quad, Segment, quad_from_json
from idstream.graph_ie.schema import OTHER, Schema

__all__ = [
    "LabeledDocument",
    "generate_identity_documents",
    "label_sroie_lines",
    "load_annotation",
    "load_documents",
    "load_sroie",
]


@dataclass(slots=True)
class LabeledDocument:
    """One document with segment labels and expected field values.

    Attributes:
        name: an identifier (file stem); never personal data.
        segments: the text segments (``quad`` in document pixels).
        doc_size: ``(width, height)``.
        labels: one label per segment (``other`` or a schema label).
        fields: expected field values, as the evaluation compares them.
        doc_type: document class (``""`` when the schema has none).
        layout: layout id (for held-out-layout splits).
    """

    name: str
    segments: list[Segment]
    doc_size: tuple[int, int]
    labels: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    doc_type: str = ""
    layout: str = ""


_NO_QUAD: Quad = ((0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0))


def _size_of(data: dict[str, Any], quads: list[Quad]) -> tuple[int, int]:
    for key in ("size", "image_size", "doc_size"):
        if key in data:
            w, h = data[key][:2]
            return int(w), int(h)
    if "width" in data and "height" in data:
        return int(data["width"]), int(data["height"])
    xs = [p[0] for q in quads for p in q] or [1.0]
    ys = [p[1] for q in quads for p in q] or [1.0]
    return int(max(xs)) + 1, int(max(ys)) + 1


def load_annotation(path: Path, schema: Schema) -> LabeledDocument:
    """Read one annotation file of the project's format; unknown labels become ``other``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    known = set(schema.labels)
    segments: list[Segment] = []
    labels: list[str] = []
    for line in data.get("lines", []):
        quad = quad_from_json(line.get("quad", line.get("box")))
        if quad is None or not str(line.get("text", "")).strip():
            continue
        segments.append(Segment(text=str(line["text"]), quad=quad, confidence=1.0))
        label = str(line.get("label") or OTHER)
        labels.append(label if label in known else OTHER)
    fields = {str(k): str(v) for k, v in (data.get("fields") or {}).items() if v not in (None, "")}
    return LabeledDocument(
        name=path.stem,
        segments=segments,
        doc_size=_size_of(data, [s.quad for s in segments]),
        labels=labels,
        fields={k: v for k, v in fields.items() if k in schema.field_names},
        doc_type=str(data.get("kind", data.get("document_type", ""))),
        layout=str(data.get("layout", "")),
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.upper())


def _coverage(line: str, value: str) -> float:
    """Share of the line's characters found, in order, in the value."""
    if not line or not value:
        return 0.0
    if line in value:
        return 1.0
    blocks = SequenceMatcher(None, line, value, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= 3) / len(line)


_TOTAL_WORDS = re.compile(r"TOTAL|AMOUNT|AMT|DUE|NETT|PAYABLE|JUMLAH|GRAND", re.IGNORECASE)


def _amounts(text: str) -> list[float]:
    out = []
    for tok in re.findall(r"\d[\d,]*\.\d{1,2}|\d+", text):
        try:
            out.append(float(tok.replace(",", "")))
        except ValueError:
            continue
    return out


def label_sroie_lines(segments: list[Segment], key: dict[str, str]) -> list[str]:
    """Label SROIE OCR lines from the key values (see the module docstring)."""
    labels = [OTHER] * len(segments)
    texts = [_squash(s.text) for s in segments]
    company, address = _squash(key.get("company", "")), _squash(key.get("address", ""))
    date = _squash(key.get("date", ""))
    for i, t in enumerate(texts):
        if len(t) < 3:
            continue
        cc = _coverage(t, company)
        ca = _coverage(t, address)
        need = 1.0 if len(t) < 6 else 0.85
        if date and date in t:
            labels[i] = "date"
        elif company and company in t and len(company) >= 0.4 * len(t):
            labels[i] = "company"
        elif max(cc, ca) >= need:
            labels[i] = "company" if cc >= ca else "address"
    try:
        total = float(re.sub(r"[^0-9.\-]", "", key.get("total", "")))
    except ValueError:
        return labels
    matches = [i for i, s in enumerate(segments) if labels[i] == OTHER and total in _amounts(s.text)]
    if not matches:
        return labels

    def keyword_row(i: int) -> bool:
        q = segments[i].quad
        y0, y1 = min(p[1] for p in q), max(p[1] for p in q)
        for s in segments:
            sy0, sy1 = min(p[1] for p in s.quad), max(p[1] for p in s.quad)
            if min(y1, sy1) - max(y0, sy0) > 0.4 * (y1 - y0) and _TOTAL_WORDS.search(s.text):
                return True
        return False

    preferred = [i for i in matches if keyword_row(i)]
    for i in preferred or matches:
        labels[i] = "total"
    return labels


def _read_box_csv(path: Path) -> list[Segment]:
    segments: list[Segment] = []
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 9:
                continue
            try:
                c = [float(v) for v in row[:8]]
            except ValueError:
                continue
            text = ",".join(row[8:]).strip()
            if text:
                segments.append(Segment(text, ((c[0], c[1]), (c[2], c[3]), (c[4], c[5]), (c[6], c[7])), 1.0))
    return segments


def load_sroie(root: Path, schema: Schema, names: list[str] | None = None) -> list[LabeledDocument]:
    """Read SROIE task-3 documents from ``root/box`` and ``root/key``.

    Args:
        root: the data set folder.
        schema: the receipt schema (fields ``company``, ``date``, ``address``, ``total``).
        names: file stems to read (default: every key file).
    """
    stems = names or sorted(p.stem for p in (root / "key").glob("*.json"))
    docs: list[LabeledDocument] = []
    for stem in stems:
        box, key_path = root / "box" / f"{stem}.csv", root / "key" / f"{stem}.json"
        if not box.is_file() or not key_path.is_file():
            continue
        key = {str(k): str(v) for k, v in json.loads(key_path.read_text(encoding="utf-8")).items()}
        segments = _read_box_csv(box)
        if not segments:
            continue
        labels = label_sroie_lines(segments, key)
        docs.append(
            LabeledDocument(
                name=stem,
                segments=segments,
                doc_size=_size_of({}, [s.quad for s in segments]),
                labels=labels,
                fields={k: v for k, v in key.items() if k in schema.field_names},
            )
        )
    return docs


def load_documents(root: Path, schema: Schema) -> list[LabeledDocument]:
    """Read a training/evaluation folder: SROIE layout (``box/`` + ``key/``) or annotation JSONs.

    Raises:
        ValueError: the folder does not exist or holds no documents.
    """
    if not root.is_dir():
        raise ValueError(f"data folder not found: {root}")
    if (root / "box").is_dir() and (root / "key").is_dir():
        docs = load_sroie(root, schema)
    else:
        files = sorted(
            p for p in root.rglob("*.json") if not p.name.startswith(("_", ".")) and p.name != "recipe.json"
        )
        docs = []
        for p in files:
            try:
                doc = load_annotation(p, schema)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
            if doc.segments:
                docs.append(doc)
    if not docs:
        raise ValueError(f"no labelled documents in {root}")
    return docs


def generate_identity_documents(
    schema: Schema,
    n: int,
    seed: int,
    *,
    layouts: list[str] | None = None,
    exclude_layouts: tuple[str, ...] = (),
    distort: str = "none",
) -> list[LabeledDocument]:
    """Generate labelled identity documents with :mod:`idstream.synth` (annotations only).

    With ``distort="none"`` the quads are in the card's own frame, the frame of the
    rectified document the pipeline's layout features use.

    Args:
        schema: the identity schema.
        n: number of documents (indices ``0..n-1`` of the set).
        seed: the set's seed.
        layouts: layouts to draw from (default: all).
        exclude_layouts: layouts left out (held out for evaluation).
        distort: ``none``, ``scan`` or ``photo``.
    """
    from idstream.synth import SynthConfig, generate_document

    config = SynthConfig.create(seed, layouts=layouts, exclude_layouts=exclude_layouts, distort=distort)
    known = set(schema.labels)
    docs: list[LabeledDocument] = []
    for index in range(n):
        ann = generate_document(config, index).annotation
        segments = [
            Segment(line.text, quad_from_json(line.quad) or _NO_QUAD, 1.0)
            for line in ann.lines
            if line.text.strip()
        ]
        labels = [line.label if line.label in known else OTHER for line in ann.lines if line.text.strip()]
        fields = {k: str(v) for k, v in ann.fields.items() if k in schema.field_names and v not in (None, "")}
        docs.append(
            LabeledDocument(
                name=f"{seed}-{index:06d}",
                segments=segments,
                doc_size=(int(ann.image_size[0]), int(ann.image_size[1])),
                labels=labels,
                fields=fields,
                doc_type=str(ann.kind),
                layout=str(ann.layout),
            )
        )
    return docs
