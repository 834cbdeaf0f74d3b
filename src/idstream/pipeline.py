"""The stages composed: the same functions serve the embedded mode and the services.

Each stage is a method of :class:`Pipeline` taking and returning domain records
(numpy images, :class:`~idstream.document.Segment`, ...). The embedded mode
(:meth:`Pipeline.process`) calls them one after the other in one process; each
streaming service calls exactly one of them between decoding a message and
encoding the next. Models are loaded once, lazily, and kept for the life of the
process.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from idstream.document import DocumentResult, FieldValue, PreprocessReport, Segment
from idstream.errors import InvalidMessage

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from idstream.graph_ie import GraphExtractor
    from idstream.mrz.read import MrzReading
    from idstream.ocr.engine import OcrEngine
    from idstream.sink.routing import ReviewPolicy

    Image = npt.NDArray[np.uint8]

__all__ = ["OcrOutput", "Pipeline", "document_id_for", "timed"]


def document_id_for(data: bytes) -> str:
    """A deterministic document id for an image's bytes (re-running gives the same id)."""
    return "doc-" + hashlib.sha256(data).hexdigest()[:24]


@contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time of the block, in milliseconds, to ``timings[name]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + (time.perf_counter() - start) * 1000.0


@dataclass(slots=True)
class NormalizedImage:
    """A decoded, normalized document image and what preprocessing did."""

    image: Image
    report: PreprocessReport


@dataclass(slots=True)
class OcrOutput:
    """What the OCR stage passes on: segments (original + document coordinates) and the MRZ as read.

    ``mrz`` is the reading in its JSON transport form (:mod:`idstream.mrz.transport`).
    """

    segments: list[Segment]
    mrz: dict[str, Any] | None = None
    engine: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)


class Pipeline:
    """The stages of idstream, with their models loaded once per process.

    Args:
        ocr_engine: the OCR engine (default: ``ocr_engine("fast")``, loaded on first use).
        extractor: the graph-IE extractor (default: the shipped identity model).
        policy: the review policy (default: the shipped policy file).
        model_path: graph-IE model file to load instead of the shipped one.
        read_mrz: read the MRZ with constrained OCR in the OCR stage.
    """

    def __init__(
        self,
        *,
        ocr_engine: OcrEngine | None = None,
        extractor: GraphExtractor | None = None,
        policy: ReviewPolicy | None = None,
        model_path: str | None = None,
        read_mrz: bool = True,
    ) -> None:
        self._ocr_engine = ocr_engine
        self._extractor = extractor
        self._policy = policy
        self._model_path = model_path or None
        self._read_mrz = read_mrz

    # -- models, loaded lazily -------------------------------------------------
    @property
    def ocr_engine(self) -> OcrEngine:
        if self._ocr_engine is None:
            from idstream.ocr.engine import ocr_engine

            self._ocr_engine = ocr_engine("fast")
        return self._ocr_engine

    @property
    def extractor(self) -> GraphExtractor:
        if self._extractor is None:
            from idstream.graph_ie import load_extractor

            self._extractor = load_extractor(self._model_path)
        return self._extractor

    @property
    def policy(self) -> ReviewPolicy:
        if self._policy is None:
            from idstream.sink.routing import ReviewPolicy

            self._policy = ReviewPolicy.default()
        return self._policy

    def warm_up(self) -> None:
        """Load every model now (services call this before they report ready)."""
        _ = self.ocr_engine, self.extractor, self.policy

    # -- stages ------------------------------------------------------------------
    def decode(self, data: bytes) -> Image:
        """Decode image bytes; raises :class:`~idstream.errors.InvalidInput` subclasses."""
        from idstream.imageio import decode_image

        return decode_image(data)

    def preprocess(self, image: Image) -> NormalizedImage:
        """Find, rectify, orient and deskew the document; measure quality."""
        from idstream.preprocess import normalize_document

        doc = normalize_document(image)
        return NormalizedImage(image=doc.image, report=doc.report)

    def ocr(self, normalized: NormalizedImage) -> OcrOutput:
        """Read every text line (and the MRZ) of the normalized image."""
        timings: dict[str, float] = {}
        with timed(timings, "ocr_text"):
            found = self.ocr_engine.read(normalized.image, document_format=normalized.report.document_format)
        to_original = normalized.report.to_original
        segments = [
            Segment(text=s.text, quad=to_original(s.quad), confidence=s.confidence, doc_quad=s.quad)
            for s in found
        ]
        mrz: dict[str, Any] | None = None
        if self._read_mrz:
            from idstream.mrz.read import read_mrz
            from idstream.mrz.transport import reading_to_transport

            with timed(timings, "ocr_mrz"):
                reading = read_mrz(normalized.image)
            mrz = reading_to_transport(reading) if reading is not None else None
        return OcrOutput(segments=segments, mrz=mrz, engine=self.ocr_engine.name, timings_ms=timings)

    def extract(self, document_id: str, ocr: OcrOutput, report: PreprocessReport) -> DocumentResult:
        """Fields from the segments (graph IE) and the MRZ, then the document checks."""
        from idstream.checks import run_checks

        extraction = self.extractor.extract(ocr.segments, report.output_size)
        printed: dict[str, FieldValue] = dict(extraction.fields)
        reading = _mrz_reading(ocr.mrz)
        checks, fields = run_checks(
            printed,
            reading.parse if reading is not None else None,
            mrz_fields=_verified_mrz_fields(reading) if reading is not None else None,
        )
        return DocumentResult(
            document_id=document_id,
            document_type=extraction.document_type,
            fields=fields,
            mrz=reading.to_dict() if reading is not None else None,
            checks=checks,
            quality=_quality(report),
            model_version=extraction.model_version,
        )

    def review(self, result: DocumentResult) -> DocumentResult:
        """Decide auto-approval or review (the sink's routing)."""
        from idstream.sink.routing import route_review

        result.review = route_review(result, self.policy)
        return result

    def process(self, data: bytes, document_id: str | None = None) -> DocumentResult:
        """The whole pipeline in this process (the embedded mode)."""
        timings: dict[str, float] = {}
        start = time.perf_counter()
        doc_id = document_id or document_id_for(data)
        with timed(timings, "decode"):
            image = self.decode(data)
        with timed(timings, "preprocess"):
            normalized = self.preprocess(image)
        with timed(timings, "ocr"):
            ocr = self.ocr(normalized)
        with timed(timings, "graph_ie"):
            result = self.extract(doc_id, ocr, normalized.report)
        with timed(timings, "sink"):
            result = self.review(result)
        timings["total"] = (time.perf_counter() - start) * 1000.0
        result.timings_ms = timings
        return result


def _mrz_reading(data: dict[str, Any] | None) -> MrzReading | None:
    """The MRZ reading passed on by the OCR stage (see :mod:`idstream.mrz.transport`)."""
    if data is None:
        return None
    from idstream.mrz.transport import reading_from_transport

    try:
        return reading_from_transport(data)
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidMessage("malformed MRZ reading") from exc


def _verified_mrz_fields(reading: MrzReading) -> dict[str, FieldValue]:
    """The MRZ's fields when its check digits verify it (the composite, else every check), else none.

    A reading that fails them is not a source of field values: the OCR found MRZ-like text
    where a card has none, or misread a real MRZ. It still goes into the result with its
    failed ``mrz_check_digits`` check, a review reason; the printed values stand.
    """
    checks = reading.parse.checks
    verified = checks["composite"] if "composite" in checks else bool(checks) and all(checks.values())
    return reading.fields() if verified else {}


def _quality(report: PreprocessReport) -> dict[str, Any]:
    """The ``quality`` object of the output: scores, flags and the geometry found."""
    return {
        **{k: round(v, 4) for k, v in report.quality.items()},
        "flags": list(report.quality_flags),
        "document_format": report.document_format,
        "card_quad": [[round(x, 1), round(y, 1)] for x, y in report.card_quad] if report.card_quad else None,
        "rotation_deg": report.rotation_deg,
        "skew_deg": round(report.skew_deg, 2),
    }
