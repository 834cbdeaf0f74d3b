"""The OCR stage: EasyOCR (CRAFT detection + CRNN recognition), offline and fast on CPU."""

from __future__ import annotations

from idstream.ocr.io import OcrDocument, load_ocr_json
from idstream.ocr.models import load_reader, model_dir, verify_weights

__all__ = [
    "OcrDocument",
    "load_ocr_json",
    "load_reader",
    "model_dir",
    "ocr_engine",
    "verify_weights",
]


def __getattr__(name: str) -> object:
    # The engine imports OpenCV and (lazily) torch; load it only when asked for.
    if name == "ocr_engine":
        from idstream.ocr.engine import ocr_engine

        return ocr_engine
    raise AttributeError(name)
