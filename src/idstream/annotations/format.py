"""Load and save annotations (format version 1).

One ``NAME.json`` next to ``NAME.jpg`` (or ``.png``)::

    {"version": 1, "image": "000001.jpg", "image_size": [w, h],
     "kind": "passport", "schema": "identity", "layout": "passport_icao_grid",
     "lines": [{"quad": [[x, y] x4], "text": "ERIKSSON", "label": "surname"}, ...],
     "fields": {"surname": "ERIKSSON", "date_of_birth": "1974-08-12", ...},
     "mrz": ["P<UTO...", "L898902C3..."] or null,
     "distortion": {"kind": "none", "rotation": 0, "card_quad": [...], ...}}

Quads are in original-image pixels, clockwise from the text's top-left corner as read.
``docs/annotations.md`` is the full description; ``idstream/schemas/annotation.schema.json``
the machine-readable one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from idstream.document import CANONICAL_FIELDS

__all__ = [
    "ANNOTATION_VERSION",
    "IDENTITY_FIELDS",
    "IDENTITY_LABELS",
    "RECEIPT_FIELDS",
    "RECEIPT_LABELS",
    "AnnotatedLine",
    "Annotation",
    "allowed_labels",
    "annotation_paths",
    "dump_annotation",
    "load_annotation",
    "save_annotation",
]

ANNOTATION_VERSION = 1

#: Field names of the ``identity`` schema: the canonical fields plus licence class and restrictions.
IDENTITY_FIELDS: tuple[str, ...] = (*CANONICAL_FIELDS, "licence_class", "restrictions")
#: Line labels of the ``identity`` schema (``mrz`` for MRZ lines, ``other`` for labels and decoration).
IDENTITY_LABELS: tuple[str, ...] = (*IDENTITY_FIELDS, "mrz", "other")
#: Field names of the ``receipt`` schema (ICDAR SROIE task 3).
RECEIPT_FIELDS: tuple[str, ...] = ("company", "date", "address", "total")
RECEIPT_LABELS: tuple[str, ...] = (*RECEIPT_FIELDS, "other")

_SCHEMA_FIELDS = {"identity": IDENTITY_FIELDS, "receipt": RECEIPT_FIELDS}


def allowed_labels(schema: str) -> tuple[str, ...]:
    """Line labels allowed by a schema (``identity`` or ``receipt``).

    Raises:
        ValueError: for an unknown schema.
    """
    if schema == "identity":
        return IDENTITY_LABELS
    if schema == "receipt":
        return RECEIPT_LABELS
    raise ValueError(f"unknown annotation schema {schema!r}; expected one of {sorted(_SCHEMA_FIELDS)}")


@dataclass(slots=True)
class AnnotatedLine:
    """One text line (or word) on the document."""

    quad: list[list[float]]
    text: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in self.quad],
            "text": self.text,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnnotatedLine:
        return cls(
            quad=[[float(p[0]), float(p[1])] for p in data["quad"]],
            text=str(data["text"]),
            label=str(data["label"]),
        )


@dataclass(slots=True)
class Annotation:
    """The annotation of one document image.

    Attributes:
        image: image file name, relative to the annotation's folder (``None`` when the
            annotation has no image, e.g. SROIE box files without scans).
        image_size: ``(width, height)`` in pixels.
        kind: ``id_card``, ``passport``, ``driving_licence``, ``receipt``...
        schema: the field set, ``identity`` or ``receipt``.
        lines: every text line with quad, text and label.
        fields: normalized field values.
        mrz: the MRZ lines, or ``None``.
        layout: the layout name (generated documents) or ``None``.
        distortion: how the image was distorted (generated documents) or ``None``.
        meta: free-form provenance (importer, source file).
    """

    image: str | None
    image_size: tuple[int, int]
    kind: str
    schema: str
    lines: list[AnnotatedLine] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    mrz: list[str] | None = None
    layout: str | None = None
    distortion: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": ANNOTATION_VERSION,
            "image": self.image,
            "image_size": [int(self.image_size[0]), int(self.image_size[1])],
            "kind": self.kind,
            "schema": self.schema,
            "layout": self.layout,
            "lines": [line.to_dict() for line in self.lines],
            "fields": dict(self.fields),
            "mrz": list(self.mrz) if self.mrz is not None else None,
            "distortion": self.distortion,
        }
        if self.meta is not None:
            out["meta"] = self.meta
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        version = data.get("version")
        if version != ANNOTATION_VERSION:
            raise ValueError(f"unsupported annotation version {version!r}; expected {ANNOTATION_VERSION}")
        size = data["image_size"]
        mrz = data.get("mrz")
        return cls(
            image=None if data.get("image") is None else str(data["image"]),
            image_size=(int(size[0]), int(size[1])),
            kind=str(data["kind"]),
            schema=str(data.get("schema", "identity")),
            lines=[AnnotatedLine.from_dict(line) for line in data.get("lines", [])],
            fields={str(k): str(v) for k, v in data.get("fields", {}).items()},
            mrz=None if mrz is None else [str(m) for m in mrz],
            layout=None if data.get("layout") is None else str(data["layout"]),
            distortion=data.get("distortion"),
            meta=data.get("meta"),
        )


def load_annotation(path: str | Path) -> Annotation:
    """Read one annotation file.

    Raises:
        ValueError: when the file is not JSON or not a version-1 annotation (use
            :func:`idstream.annotations.validate.validate_file` for a full report).
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: an annotation is a JSON object")
    try:
        return Annotation.from_dict(data)
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"{path}: malformed annotation ({type(exc).__name__}: {exc})") from None


def save_annotation(annotation: Annotation, path: str | Path) -> None:
    """Write one annotation file (UTF-8, indented, keys in the documented order)."""
    Path(path).write_text(dump_annotation(annotation), encoding="utf-8")


def dump_annotation(annotation: Annotation) -> str:
    """The JSON text of an annotation: one top-level key per line, one text line per line.

    Keeping each element of ``lines`` on its own line makes the validator's line numbers
    point at the offending element.
    """
    data = annotation.to_dict()
    parts: list[str] = []
    for key, value in data.items():
        if key == "lines" and value:
            items = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f' "lines": [\n{items}\n ]')
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def annotation_paths(root: str | Path) -> Iterator[Path]:
    """Every ``*.json`` annotation under ``root`` (recursively), sorted."""
    base = Path(root)
    if base.is_file():
        yield base
        return
    yield from sorted(p for p in base.rglob("*.json") if p.is_file())
