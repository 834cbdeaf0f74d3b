"""Typed records that flow between the stages, and the output document.

Everything here is plain Python (no numpy, no protobuf) so that every stage and
every adapter can share it. The JSON produced by :meth:`DocumentResult.to_dict`
is the one output format of idstream: the embedded mode prints it, the sink
publishes it on the results topic, and gRPC returns it.

Coordinates: a :data:`Quad` is four ``(x, y)`` points, clockwise from the
top-left corner of the text as read. Boxes in a :class:`DocumentResult` are in
the pixel coordinates of the original input image.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "CANONICAL_FIELDS",
    "Check",
    "CheckStatus",
    "DocumentResult",
    "FieldValue",
    "Point",
    "PreprocessReport",
    "Quad",
    "Review",
    "Segment",
    "quad_from_json",
    "quad_to_json",
]

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]
CheckStatus = Literal["pass", "fail", "skipped"]

#: Canonical identity fields, in the order the output lists them.
CANONICAL_FIELDS: tuple[str, ...] = (
    "document_type",
    "issuing_country",
    "document_number",
    "surname",
    "given_names",
    "nationality",
    "date_of_birth",
    "sex",
    "place_of_birth",
    "date_of_issue",
    "date_of_expiry",
    "address",
    "personal_number",
    "authority",
)


def quad_to_json(quad: Quad | None) -> list[list[float]] | None:
    """Round a quadrilateral to 0.1 px for JSON output."""
    if quad is None:
        return None
    return [[round(float(x), 1), round(float(y), 1)] for x, y in quad]


def quad_from_json(data: Any) -> Quad | None:
    """Parse ``[[x, y] x4]`` (or ``None``) into a :data:`Quad`."""
    if data is None:
        return None
    if len(data) != 4:
        raise ValueError(f"a quadrilateral has 4 points, got {len(data)}")
    pts = [(float(p[0]), float(p[1])) for p in data]
    return (pts[0], pts[1], pts[2], pts[3])


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of text read by OCR.

    Attributes:
        text: the text as read.
        quad: its quadrilateral in the pixel coordinates of the original image.
        confidence: recognizer confidence in [0, 1].
        doc_quad: the same quadrilateral in the normalized (rectified, upright)
            document image, where layout features are computed.
    """

    text: str
    quad: Quad
    confidence: float
    doc_quad: Quad | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "box": quad_to_json(self.quad),
            "confidence": round(self.confidence, 4),
        }
        if self.doc_quad is not None:
            out["doc_box"] = quad_to_json(self.doc_quad)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        quad = quad_from_json(data["box"])
        assert quad is not None
        return cls(
            text=str(data["text"]),
            quad=quad,
            confidence=float(data.get("confidence", 1.0)),
            doc_quad=quad_from_json(data.get("doc_box")),
        )


@dataclass(slots=True)
class PreprocessReport:
    """What the preprocess stage found and did.

    Attributes:
        input_size: ``(width, height)`` of the original image.
        output_size: ``(width, height)`` of the normalized image.
        card_quad: the document's corners in input coordinates (``None`` when no
            edge was found and the whole image was used).
        document_format: ``"ID-1"``, ``"ID-3"`` or ``"unknown"``.
        rotation_deg: quarter-turn rotation applied (0, 90, 180, 270, clockwise).
        skew_deg: residual skew measured and removed, degrees.
        quality: named quality scores (blur, glare, resolution, ...).
        quality_flags: names of quality problems that drive review.
        transform: 3x3 homography, row-major, mapping a pixel of the normalized
            image to the original image.
    """

    input_size: tuple[int, int]
    output_size: tuple[int, int]
    card_quad: Quad | None = None
    document_format: str = "unknown"
    rotation_deg: int = 0
    skew_deg: float = 0.0
    quality: dict[str, float] = field(default_factory=dict)
    quality_flags: list[str] = field(default_factory=list)
    transform: list[list[float]] = field(
        default_factory=lambda: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "input_size": list(self.input_size),
            "output_size": list(self.output_size),
            "card_quad": quad_to_json(self.card_quad),
            "document_format": self.document_format,
            "rotation_deg": self.rotation_deg,
            "skew_deg": round(self.skew_deg, 3),
            "quality": {k: round(v, 4) for k, v in self.quality.items()},
            "quality_flags": list(self.quality_flags),
            "transform": [[float(v) for v in row] for row in self.transform],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PreprocessReport:
        return cls(
            input_size=(int(data["input_size"][0]), int(data["input_size"][1])),
            output_size=(int(data["output_size"][0]), int(data["output_size"][1])),
            card_quad=quad_from_json(data.get("card_quad")),
            document_format=str(data.get("document_format", "unknown")),
            rotation_deg=int(data.get("rotation_deg", 0)),
            skew_deg=float(data.get("skew_deg", 0.0)),
            quality={str(k): float(v) for k, v in data.get("quality", {}).items()},
            quality_flags=[str(f) for f in data.get("quality_flags", [])],
            transform=[[float(v) for v in row] for row in data["transform"]],
        )

    def to_original(self, quad: Quad) -> Quad:
        """Map a quadrilateral from normalized-image to original-image pixels."""
        h = self.transform
        pts: list[Point] = []
        for x, y in quad:
            w = h[2][0] * x + h[2][1] * y + h[2][2]
            if abs(w) < 1e-12:
                w = 1e-12
            pts.append(((h[0][0] * x + h[0][1] * y + h[0][2]) / w, (h[1][0] * x + h[1][1] * y + h[1][2]) / w))
        return (pts[0], pts[1], pts[2], pts[3])


@dataclass(slots=True)
class FieldValue:
    """One extracted field.

    Attributes:
        value: the normalized value (dates ISO 8601, sex ``M``/``F``/``X``, ...).
        raw: the text as printed (or as read from the MRZ).
        confidence: calibrated confidence in [0, 1].
        box: where it is, in original-image pixels (``None`` if not located).
        source: ``"visual"`` (printed zone), ``"mrz"``, or ``"visual+mrz"`` when both agree.
    """

    value: str
    raw: str
    confidence: float
    box: Quad | None = None
    source: str = "visual"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "raw": self.raw,
            "confidence": round(self.confidence, 4),
            "box": quad_to_json(self.box),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldValue:
        return cls(
            value=str(data["value"]),
            raw=str(data.get("raw", data["value"])),
            confidence=float(data.get("confidence", 0.0)),
            box=quad_from_json(data.get("box")),
            source=str(data.get("source", "visual")),
        )


@dataclass(slots=True)
class Check:
    """The outcome of one document check (MRZ check digits, consistency, expiry...)."""

    name: str
    status: CheckStatus
    detail: str = ""
    fields: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Check:
        status = data["status"]
        if status not in ("pass", "fail", "skipped"):
            raise ValueError(f"unknown check status {status!r}")
        return cls(
            name=str(data["name"]),
            status=status,
            detail=str(data.get("detail", "")),
            fields=[str(f) for f in data.get("fields", [])],
        )


@dataclass(slots=True)
class Review:
    """The routing decision: ``auto_approved`` or ``to_review``, with reasons."""

    status: str = "to_review"
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reasons": list(self.reasons)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Review:
        return cls(
            status=str(data.get("status", "to_review")), reasons=[str(r) for r in data.get("reasons", [])]
        )


@dataclass(slots=True)
class DocumentResult:
    """The output document: one per input image."""

    document_id: str
    document_type: str = "unknown"
    fields: dict[str, FieldValue] = field(default_factory=dict)
    mrz: dict[str, Any] | None = None
    checks: list[Check] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)
    review: Review = field(default_factory=Review)
    timings_ms: dict[str, float] = field(default_factory=dict)
    model_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        order = {name: i for i, name in enumerate(CANONICAL_FIELDS)}
        names = sorted(self.fields, key=lambda n: (order.get(n, len(order)), n))
        return {
            "document_id": self.document_id,
            "document_type": self.document_type,
            "fields": {name: self.fields[name].to_dict() for name in names},
            "mrz": self.mrz,
            "checks": [c.to_dict() for c in self.checks],
            "quality": self.quality,
            "review": self.review.to_dict(),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "model_version": self.model_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentResult:
        return cls(
            document_id=str(data["document_id"]),
            document_type=str(data.get("document_type", "unknown")),
            fields={str(k): FieldValue.from_dict(v) for k, v in data.get("fields", {}).items()},
            mrz=data.get("mrz"),
            checks=[Check.from_dict(c) for c in data.get("checks", [])],
            quality=dict(data.get("quality", {})),
            review=Review.from_dict(data.get("review", {})),
            timings_ms={str(k): float(v) for k, v in data.get("timings_ms", {}).items()},
            model_version=str(data.get("model_version", "")),
        )
