"""OCR engines: read every line of text on a normalized document image.

Two engines share one interface, :class:`OcrEngine`:

* ``"stock"``: EasyOCR's own ``Reader.readtext`` with its defaults, the
  reference the fast engine is measured against;
* ``"fast"``: CRAFT at a resolution chosen for the document's physical size
  (:mod:`idstream.ocr.detect`) and batched recognition
  (:mod:`idstream.ocr.recognize`), both on ONNX Runtime with int8 models exported
  from the official weights (:mod:`idstream.ocr.export`); when those models are
  absent it runs on torch (bfloat16 where the CPU has it) and logs why.

Both return :class:`~idstream.document.Segment` records whose ``quad`` and
``doc_quad`` are in the pixel coordinates of the image given; the pipeline maps
``quad`` to the original image with ``PreprocessReport.to_original``.

Engines hold no per-image state: one engine can serve several threads, but on a
small CPU run one document at a time per process and let the runtime use the cores.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from idstream.document import PreprocessReport, Quad, Segment
from idstream.errors import InvalidInput
from idstream.ocr.detect import DetectionParams, bf16_supported, detect_lines, detection_scale
from idstream.ocr.models import load_reader
from idstream.ocr.onnxrt import load_onnx_models
from idstream.ocr.recognize import bf16_recognizer, recognize_boxes

__all__ = [
    "ENGINE_NAMES",
    "FastEngine",
    "OcrEngine",
    "OcrResult",
    "StockEngine",
    "default_threads",
    "ocr_engine",
    "segments_to_original",
]

#: Names :func:`ocr_engine` accepts.
ENGINE_NAMES: tuple[str, ...] = ("fast", "stock")


@dataclass(slots=True)
class OcrResult:
    """The segments read on one image, and where the time went (milliseconds)."""

    segments: list[Segment]
    timings_ms: dict[str, float] = field(default_factory=dict)


def _quad(points: Any) -> Quad:
    pts = [(float(p[0]), float(p[1])) for p in points]
    return (pts[0], pts[1], pts[2], pts[3])


def _segments(recognitions: list[tuple[Any, str, float]]) -> list[Segment]:
    out: list[Segment] = []
    for box, text, conf in recognitions:
        text = text.strip()
        if not text:
            continue
        quad = _quad(box)
        out.append(Segment(text=text, quad=quad, confidence=float(conf), doc_quad=quad))
    return out


def _check_image(image: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise InvalidInput("OCR needs a uint8 image array")
    if image.ndim == 2:
        import cv2

        image = np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 8 or image.shape[1] < 8:
        raise InvalidInput(f"OCR needs a BGR image of at least 8x8 pixels, got shape {image.shape}")
    return np.asarray(image, dtype=np.uint8)


def default_threads() -> int:
    """Threads for ONNX Runtime: ``$OMP_NUM_THREADS`` when set (the manifests set it to the CPU
    limit), else the number of CPUs this process may use."""
    configured = os.environ.get("OMP_NUM_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class OcrEngine:
    """Reads text lines on a normalized (rectified, upright) document image.

    Attributes:
        name: engine name as reported in outputs (``"easyocr-fast"``, ...).
    """

    name = "ocr"

    def run(self, image: npt.NDArray[np.uint8], *, document_format: str = "unknown") -> OcrResult:
        """Read the image and report timings.

        Args:
            image: BGR ``uint8`` image of the normalized document.
            document_format: ``"ID-1"``, ``"ID-2"``, ``"ID-3"`` or ``"unknown"``
                (from the preprocess report); engines may use it to pick a
                working resolution.

        Returns:
            The segments, top to bottom, and the timings.

        Raises:
            InvalidInput: when the array is not an 8-bit image.
        """
        raise NotImplementedError

    def read(self, image: npt.NDArray[np.uint8], *, document_format: str = "unknown") -> list[Segment]:
        """Read the image; see :meth:`run`.

        Args:
            image: BGR ``uint8`` image of the normalized document.
            document_format: document format from the preprocess report.

        Returns:
            The segments, top to bottom.
        """
        return self.run(image, document_format=document_format).segments


class StockEngine(OcrEngine):
    """EasyOCR ``Reader.readtext`` with its default settings (the reference)."""

    name = "easyocr-stock"

    def __init__(self, model_dir: str | os.PathLike[str] | None = None) -> None:
        self._reader = load_reader(model_dir)

    def run(self, image: npt.NDArray[np.uint8], *, document_format: str = "unknown") -> OcrResult:
        image = _check_image(image)
        start = time.perf_counter()
        raw = self._reader.readtext(image)
        elapsed = (time.perf_counter() - start) * 1000.0
        return OcrResult(_segments([(b, t, c) for b, t, c in raw]), {"ocr": elapsed})


class FastEngine(OcrEngine):
    """CRAFT at a document-sized resolution plus batched CRNN recognition.

    Args:
        model_dir: directory of EasyOCR weights (default: the offline package).
        params: detection settings.
        bf16: on the torch path, run CRAFT and the recognizer's convolutional
            feature extractor in bfloat16; ``None`` means when the CPU supports it.
        onnx: use the exported ONNX Runtime models when they are there (the
            default); ``False`` forces the torch path.
        onnx_dir: directory of the ONNX models (default:
            :func:`idstream.ocr.onnxrt.onnx_dir`).
        threads: ONNX Runtime intra-op threads (default: :func:`default_threads`).

    Attributes:
        backend: ``"onnxruntime"`` or ``"torch"``.
    """

    name = "easyocr-fast"

    def __init__(
        self,
        model_dir: str | os.PathLike[str] | None = None,
        *,
        params: DetectionParams | None = None,
        bf16: bool | None = None,
        onnx: bool = True,
        onnx_dir: str | os.PathLike[str] | None = None,
        threads: int | None = None,
    ) -> None:
        self.params = params or DetectionParams()
        if threads is None:
            threads = default_threads()
        self._onnx = load_onnx_models(onnx_dir, weights_dir=model_dir, threads=threads) if onnx else None
        self._detector: Any
        if self._onnx is not None:
            self.backend = "onnxruntime"
            self.bf16 = False
            # the reader only provides EasyOCR's character set and CTC decoder here
            self._reader = load_reader(model_dir, detector=False)
            self._detector = self._onnx
            self._recognizer: Any = self._onnx.recognizer
        else:
            self.backend = "torch"
            self._reader = load_reader(model_dir)
            self.bf16 = bf16_supported() if bf16 is None else bf16
            self._detector = self._reader.detector
            self._recognizer = (
                bf16_recognizer(self._reader.recognizer) if self.bf16 else self._reader.recognizer
            )

    def run(self, image: npt.NDArray[np.uint8], *, document_format: str = "unknown") -> OcrResult:
        import cv2

        image = _check_image(image)
        h, w = image.shape[:2]
        t0 = time.perf_counter()
        scale = detection_scale(w, h, document_format, self.params)
        horizontal, free = detect_lines(self._detector, image, scale, params=self.params, bf16=self.bf16)
        t1 = time.perf_counter()
        grey = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        recognitions = recognize_boxes(self._reader, grey, horizontal, free, recognizer=self._recognizer)
        t2 = time.perf_counter()
        timings = {"detect": (t1 - t0) * 1000.0, "recognize": (t2 - t1) * 1000.0, "ocr": (t2 - t0) * 1000.0}
        return OcrResult(_segments(recognitions), timings)


def ocr_engine(
    name: str = "fast", *, model_dir: str | os.PathLike[str] | None = None, threads: int | None = None
) -> OcrEngine:
    """Build an OCR engine by name.

    Args:
        name: ``"fast"`` (the optimized path) or ``"stock"`` (plain EasyOCR).
        model_dir: directory of EasyOCR weights (default: the offline package).
        threads: torch intra-op threads for this process and ONNX Runtime threads of
            the fast engine (``None``: leave torch as is, ONNX Runtime on
            :func:`default_threads`).

    Returns:
        The engine; its reader is shared with other engines of the process.

    Raises:
        ValueError: for an unknown name.
    """
    if name not in ENGINE_NAMES:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if threads is not None:
        import torch

        torch.set_num_threads(max(1, int(threads)))
    if name == "stock":
        return StockEngine(model_dir)
    return FastEngine(model_dir, threads=threads)


def segments_to_original(segments: list[Segment], report: PreprocessReport) -> list[Segment]:
    """Map segments read on the normalized image back to the original image.

    Args:
        segments: segments whose ``doc_quad`` (or ``quad``) is in normalized pixels.
        report: the preprocess report whose transform maps normalized to original pixels.

    Returns:
        The segments with ``quad`` in original-image and ``doc_quad`` in normalized pixels.
    """
    out: list[Segment] = []
    for s in segments:
        doc_quad = s.doc_quad if s.doc_quad is not None else s.quad
        out.append(
            Segment(
                text=s.text, quad=report.to_original(doc_quad), confidence=s.confidence, doc_quad=doc_quad
            )
        )
    return out
