"""Conversion between the domain records and the protobuf messages of ``protos/``.

The adapters (services, gateway, CLI) encode and decode messages here and
nowhere else; domain code never sees protobuf. Decoding failures raise
:class:`idstream.errors.InvalidMessage`, which sends the message to the
dead-letter topic.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf.message import DecodeError, Message

from idstream.document import Check, DocumentResult, FieldValue, PreprocessReport, Quad, Review, Segment
from idstream.errors import InvalidMessage
from idstream.v1 import common_pb2, pipeline_pb2, result_pb2

__all__ = [
    "decode",
    "envelope",
    "now_timestamp",
    "quad_from_pb",
    "quad_to_pb",
    "report_from_pb",
    "report_to_pb",
    "result_from_pb",
    "result_to_pb",
    "segment_from_pb",
    "segment_to_pb",
]

M = TypeVar("M", bound=Message)


def decode(message_type: type[M], data: bytes | None) -> M:
    """Parse ``data`` as ``message_type``.

    Raises:
        InvalidMessage: the bytes are empty or not a valid message of that type.
    """
    if not data:
        raise InvalidMessage(f"empty {message_type.__name__} message")
    msg = message_type()
    try:
        msg.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise InvalidMessage(f"malformed {message_type.__name__} message") from exc
    return msg


def now_timestamp() -> Any:
    """The current time as a ``google.protobuf.Timestamp``."""
    from google.protobuf.timestamp_pb2 import Timestamp

    ts = Timestamp()
    ts.FromDatetime(datetime.now(UTC))
    return ts


def quad_to_pb(quad: Quad | None) -> common_pb2.Quad:
    out = common_pb2.Quad()
    if quad is not None:
        for x, y in quad:
            out.points.add(x=float(x), y=float(y))
    return out


def quad_from_pb(msg: common_pb2.Quad) -> Quad | None:
    if not msg.points:
        return None
    if len(msg.points) != 4:
        raise InvalidMessage(f"a quadrilateral has 4 points, got {len(msg.points)}")
    p = [(float(pt.x), float(pt.y)) for pt in msg.points]
    return (p[0], p[1], p[2], p[3])


def segment_to_pb(segment: Segment) -> common_pb2.Segment:
    return common_pb2.Segment(
        text=segment.text,
        box=quad_to_pb(segment.quad),
        confidence=segment.confidence,
        doc_box=quad_to_pb(segment.doc_quad),
    )


def segment_from_pb(msg: common_pb2.Segment) -> Segment:
    quad = quad_from_pb(msg.box)
    if quad is None:
        raise InvalidMessage("a segment without a box")
    return Segment(text=msg.text, quad=quad, confidence=msg.confidence, doc_quad=quad_from_pb(msg.doc_box))


def report_to_pb(report: PreprocessReport) -> common_pb2.PreprocessReport:
    msg = common_pb2.PreprocessReport(
        input_width=report.input_size[0],
        input_height=report.input_size[1],
        output_width=report.output_size[0],
        output_height=report.output_size[1],
        document_format=report.document_format,
        rotation_deg=report.rotation_deg,
        skew_deg=report.skew_deg,
        quality_flags=report.quality_flags,
        transform=[v for row in report.transform for v in row],
    )
    if report.card_quad is not None:
        msg.card_quad.CopyFrom(quad_to_pb(report.card_quad))
    for key, value in report.quality.items():
        msg.quality[key] = value
    return msg


def report_from_pb(msg: common_pb2.PreprocessReport) -> PreprocessReport:
    if len(msg.transform) != 9:
        raise InvalidMessage("a preprocess report needs a 3x3 transform")
    t = list(msg.transform)
    return PreprocessReport(
        input_size=(msg.input_width, msg.input_height),
        output_size=(msg.output_width, msg.output_height),
        card_quad=quad_from_pb(msg.card_quad),
        document_format=msg.document_format,
        rotation_deg=msg.rotation_deg,
        skew_deg=msg.skew_deg,
        quality=dict(msg.quality),
        quality_flags=list(msg.quality_flags),
        transform=[t[0:3], t[3:6], t[6:9]],
    )


def result_to_pb(result: DocumentResult) -> result_pb2.DocumentResult:
    msg = result_pb2.DocumentResult(
        document_id=result.document_id,
        document_type=result.document_type,
        model_version=result.model_version,
        review=result_pb2.Review(status=result.review.status, reasons=result.review.reasons),
    )
    for name, fv in result.fields.items():
        field = msg.fields[name]
        field.value, field.raw, field.confidence, field.source = fv.value, fv.raw, fv.confidence, fv.source
        if fv.box is not None:
            field.box.CopyFrom(quad_to_pb(fv.box))
    for check in result.checks:
        msg.checks.add(name=check.name, status=check.status, detail=check.detail, fields=check.fields)
    if result.mrz is not None:
        msg.mrz_json = json.dumps(result.mrz, default=float)
    msg.quality_json = json.dumps(result.quality, default=float)
    for key, value in result.timings_ms.items():
        msg.timings_ms[key] = value
    return msg


def result_from_pb(msg: result_pb2.DocumentResult) -> DocumentResult:
    fields = {
        name: FieldValue(
            value=f.value, raw=f.raw, confidence=f.confidence, box=quad_from_pb(f.box), source=f.source
        )
        for name, f in msg.fields.items()
    }
    checks = []
    for c in msg.checks:
        if c.status not in ("pass", "fail", "skipped"):
            raise InvalidMessage("a check with an unknown status")
        checks.append(Check(name=c.name, status=c.status, detail=c.detail, fields=list(c.fields)))  # type: ignore[arg-type]
    return DocumentResult(
        document_id=msg.document_id,
        document_type=msg.document_type,
        fields=fields,
        mrz=_json_object(msg.mrz_json) if msg.mrz_json else None,
        checks=checks,
        quality=_json_object(msg.quality_json) if msg.quality_json else {},
        review=Review(status=msg.review.status, reasons=list(msg.review.reasons)),
        timings_ms=dict(msg.timings_ms),
        model_version=msg.model_version,
    )


def envelope(result: DocumentResult, image_ref: str) -> pipeline_pb2.ResultEnvelope:
    """Wrap a result for the ``extracted`` and ``results`` topics."""
    return pipeline_pb2.ResultEnvelope(
        document_id=result.document_id, image_ref=image_ref, result=result_to_pb(result)
    )


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidMessage("a result with malformed embedded JSON") from exc
    if not isinstance(data, dict):
        raise InvalidMessage("a result whose embedded JSON is not an object")
    return data
