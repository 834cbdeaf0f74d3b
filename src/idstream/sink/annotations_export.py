"""Reviewed documents as training annotations, and their export.

A reviewed document becomes one annotation in the training format of
:mod:`idstream.synth` (``schema: identity``, ``layout: review-export``): one line
per located field with its quadrilateral, printed text and label, plus the field
values. Fields a reviewer deleted are left out; fields they filled are in.

``idstream export-annotations --since DATE --out DIR`` writes, per document,
``DIR/<id>.json`` and (when the image store is given) the image beside it, and a
``DIR/manifest.jsonl`` listing them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from idstream.errors import IdstreamError
from idstream.sink.models import Annotation, Document

__all__ = ["ANNOTATION_VERSION", "build_annotation", "export_annotations", "image_suffix"]

ANNOTATION_VERSION = 1

_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")


def image_suffix(data: bytes) -> str:
    """A file suffix for image bytes (``.jpg``, ``.png``, ``.tif``, ``.webp`` or ``.bin``)."""
    if data[:3] == b"\xff\xd8\xff":
        return ".jpg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return ".png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return ".tif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ".bin"


def build_annotation(doc: Document, image_size: tuple[int, int] | None) -> dict[str, Any]:
    """The training annotation of a (reviewed) document.

    Args:
        doc: the stored document, fields loaded.
        image_size: ``(width, height)`` of the original image, when known.
    """
    lines: list[dict[str, Any]] = []
    fields: dict[str, str] = {}
    for row in doc.fields:
        if row.status == "deleted" or not row.value:
            continue
        fields[row.name] = row.value
        if row.box is not None:
            lines.append({"quad": row.box, "text": row.raw or row.value, "label": row.name})
    mrz_lines = None
    if isinstance(doc.mrz, dict) and isinstance(doc.mrz.get("lines"), list):
        mrz_lines = [str(x) for x in doc.mrz["lines"]]
    return {
        "version": ANNOTATION_VERSION,
        "image": doc.image_ref or "",
        "image_size": list(image_size) if image_size else None,
        "kind": doc.document_type,
        "schema": "identity",
        "layout": "review-export",
        "lines": lines,
        "fields": fields,
        "mrz": mrz_lines,
    }


def export_annotations(
    session: Session,
    out_dir: Path,
    since: datetime | None = None,
    fetch_image: Callable[[str], bytes] | None = None,
    image_size: Callable[[bytes], tuple[int, int]] | None = None,
) -> tuple[list[str], list[str]]:
    """Write the annotations updated since ``since`` under ``out_dir``.

    Args:
        session: an open session on the results store.
        out_dir: the output directory (created).
        since: only annotations updated at or after this time (all when ``None``).
        fetch_image: returns the bytes of an image reference; images are copied when given.
        image_size: measures ``(width, height)`` of image bytes, to fill a missing ``image_size``.

    Returns:
        The ids of the exported documents (oldest update first), and those whose image could not
        be fetched (their annotation has ``"image": null``).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stmt = (
        select(Annotation, Document.status)
        .join(Document, Document.id == Annotation.document_id)
        .where(Document.status != "deleted")
        .order_by(Annotation.updated_at, Annotation.document_id)
    )
    if since is not None:
        stmt = stmt.where(Annotation.updated_at >= since)
    exported: list[str] = []
    missing_images: list[str] = []
    with (out_dir / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for ann, status in session.execute(stmt).all():
            data = dict(ann.data)
            name = _SAFE_ID.sub("_", ann.document_id)
            if fetch_image is not None and data.get("image"):
                try:
                    blob = fetch_image(str(data["image"]))
                except IdstreamError:  # missing or unreachable image: the annotation is still useful
                    blob = None
                    missing_images.append(ann.document_id)
                    data["image"] = None
                if blob is not None:
                    image_name = name + image_suffix(blob)
                    (out_dir / image_name).write_bytes(blob)
                    if data.get("image_size") is None and image_size is not None:
                        data["image_size"] = list(image_size(blob))
                    data["image"] = image_name
            (out_dir / f"{name}.json").write_text(
                json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            entry = {
                "document_id": ann.document_id,
                "annotation": f"{name}.json",
                "status": status,
                "updated_at": ann.updated_at.isoformat(),
                "updated_by": ann.updated_by,
            }
            manifest.write(json.dumps(entry) + "\n")
            exported.append(ann.document_id)
    return exported, missing_images
