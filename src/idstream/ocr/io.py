"""The JSON format of OCR output (one line of ``idstream ocr``), read and written.

One document::

    {"file": "card.jpg", "image_size": [w, h], "doc_size": [w, h],
     "preprocess": {...PreprocessReport...},
     "segments": [{"text", "box", "confidence", "doc_box"}...],
     "engine": "easyocr-fast", "timings_ms": {...}}

``box`` is in the pixel coordinates of the original image and ``doc_box`` in
those of the normalized document; ``idstream ie`` reads exactly this, so OCR
output of any origin can be fed to the extractor. Only ``segments`` is required
when reading.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from idstream.document import PreprocessReport, Segment
from idstream.errors import InvalidInput

__all__ = ["OcrDocument", "load_ocr_json", "parse_ocr_document"]


@dataclass(slots=True)
class OcrDocument:
    """The OCR output for one input image.

    Attributes:
        file: the input's name.
        image_size: ``(width, height)`` of the original image.
        doc_size: ``(width, height)`` of the normalized document image.
        segments: the text lines, ``quad`` in original and ``doc_quad`` in normalized pixels.
        preprocess: the preprocess report (``None`` when unknown).
        engine: the OCR engine's name.
        timings_ms: where the time went, milliseconds.
    """

    file: str
    image_size: tuple[int, int]
    doc_size: tuple[int, int]
    segments: list[Segment] = field(default_factory=list)
    preprocess: PreprocessReport | None = None
    engine: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dictionary (the format ``idstream ocr`` prints)."""
        return {
            "file": self.file,
            "image_size": list(self.image_size),
            "doc_size": list(self.doc_size),
            "preprocess": self.preprocess.to_dict() if self.preprocess is not None else None,
            "segments": [s.to_dict() for s in self.segments],
            "engine": self.engine,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


def _size(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    return int(value[0]), int(value[1])


def parse_ocr_document(data: dict[str, Any], *, file: str = "") -> OcrDocument:
    """Build an :class:`OcrDocument` from its dictionary.

    Sizes missing from the dictionary are taken from the preprocess report, or
    from the extent of the boxes.

    Args:
        data: the decoded JSON object.
        file: name to use when the object has no ``file``.

    Returns:
        The document.

    Raises:
        InvalidInput: when there is no ``segments`` list or a segment is malformed.
    """
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise InvalidInput("OCR JSON has no 'segments' list")
    try:
        segments = [Segment.from_dict(s) for s in data["segments"]]
        report = PreprocessReport.from_dict(data["preprocess"]) if data.get("preprocess") else None
        image_size = _size(data.get("image_size")) or (report.input_size if report else None)
        doc_size = _size(data.get("doc_size")) or (report.output_size if report else None)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InvalidInput(f"malformed OCR JSON ({type(exc).__name__})") from exc
    if image_size is None:
        pts = [p for s in segments for p in s.quad]
        image_size = (
            int(max((p[0] for p in pts), default=0)) + 1,
            int(max((p[1] for p in pts), default=0)) + 1,
        )
    if doc_size is None:
        pts = [p for s in segments for p in (s.doc_quad or s.quad)]
        doc_size = (
            int(max((p[0] for p in pts), default=0)) + 1,
            int(max((p[1] for p in pts), default=0)) + 1,
        )
    timings = data.get("timings_ms") or {}
    return OcrDocument(
        file=str(data.get("file", file)),
        image_size=image_size,
        doc_size=doc_size,
        segments=segments,
        preprocess=report,
        engine=str(data.get("engine", "")),
        timings_ms={str(k): float(v) for k, v in timings.items()},
    )


def load_ocr_json(path: str | os.PathLike[str]) -> OcrDocument:
    """Read one OCR JSON document (the output of ``idstream ocr`` for one image).

    Args:
        path: the JSON file; a file holding several lines uses the first.

    Returns:
        The document.

    Raises:
        InvalidInput: when the file cannot be read or is not OCR JSON.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read OCR JSON {p.name}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            data = json.loads(lines[0]) if lines else None
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{p.name} is not JSON") from exc
    if data is None:
        raise InvalidInput(f"{p.name} is empty")
    return parse_ocr_document(data, file=p.name)
