"""graph_ie service: ``idstream.ocr`` → ``idstream.extracted``.

Builds the document graph from the OCR segments, labels them with the GNN,
merges the MRZ and runs the document checks.
"""

from __future__ import annotations

import json

from idstream import contracts
from idstream.errors import InvalidMessage
from idstream.pipeline import OcrOutput
from idstream.streaming.context import StageContext
from idstream.streaming.service import ServiceSpec
from idstream.streaming.stage import Outgoing, StageHandler
from idstream.v1 import pipeline_pb2

__all__ = ["SPEC", "make_handler"]


def make_handler(ctx: StageContext) -> StageHandler:
    def handle(value: bytes) -> list[Outgoing]:
        from idstream.pipeline import timed

        msg = contracts.decode(pipeline_pb2.OcrResult, value)
        report = contracts.report_from_pb(msg.report)
        try:
            mrz = json.loads(msg.mrz_json) if msg.mrz_json else None
        except ValueError as exc:
            raise InvalidMessage("OCR result with a malformed MRZ object") from exc
        ocr = OcrOutput(
            segments=[contracts.segment_from_pb(s) for s in msg.segments], mrz=mrz, engine=msg.engine
        )
        timings = dict(msg.timings_ms)
        with timed(timings, "graph_ie"):
            result = ctx.pipeline.extract(msg.document_id, ocr, report)
        result.timings_ms = timings
        out = contracts.envelope(result, msg.image_ref)
        out.submitted_at.CopyFrom(msg.submitted_at)
        return [Outgoing(ctx.topics.extracted, msg.document_id, out.SerializeToString())]

    return handle


def warm_up(ctx: StageContext) -> None:
    _ = ctx.pipeline.extractor


SPEC = ServiceSpec(
    stage="graph_ie",
    input_topic=lambda t: t.ocr,
    input_type=pipeline_pb2.OcrResult,
    make_handler=make_handler,
    metrics_port=9103,
    warm_up=warm_up,
    model_version=lambda ctx: ctx.pipeline.extractor.version,
)
