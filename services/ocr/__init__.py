"""ocr service: ``idstream.preprocessed`` → ``idstream.ocr``.

Reads every text line of the normalized image (EasyOCR, offline weights) and the
MRZ, with boxes mapped back to original-image coordinates.
"""

from __future__ import annotations

import json

from idstream import contracts
from idstream.pipeline import NormalizedImage
from idstream.streaming.context import StageContext
from idstream.streaming.service import ServiceSpec
from idstream.streaming.stage import Outgoing, StageHandler
from idstream.v1 import pipeline_pb2

__all__ = ["SPEC", "make_handler"]


def make_handler(ctx: StageContext) -> StageHandler:
    def handle(value: bytes) -> list[Outgoing]:
        from idstream.pipeline import timed

        msg = contracts.decode(pipeline_pb2.PreprocessedImage, value)
        report = contracts.report_from_pb(msg.report)
        timings = dict(msg.timings_ms)
        with timed(timings, "ocr"):
            image = ctx.pipeline.decode(ctx.store.get(msg.normalized_ref))
            result = ctx.pipeline.ocr(NormalizedImage(image=image, report=report))
        out = pipeline_pb2.OcrResult(
            document_id=msg.document_id,
            image_ref=msg.image_ref,
            normalized_ref=msg.normalized_ref,
            report=msg.report,
            segments=[contracts.segment_to_pb(s) for s in result.segments],
            timings_ms=timings,
            submitted_at=msg.submitted_at,
            engine=result.engine,
            mrz_json=json.dumps(result.mrz) if result.mrz is not None else "",
        )
        return [Outgoing(ctx.topics.ocr, msg.document_id, out.SerializeToString())]

    return handle


def warm_up(ctx: StageContext) -> None:
    _ = ctx.pipeline.ocr_engine


SPEC = ServiceSpec(
    stage="ocr",
    input_topic=lambda t: t.preprocessed,
    input_type=pipeline_pb2.PreprocessedImage,
    make_handler=make_handler,
    metrics_port=9102,
    warm_up=warm_up,
    model_version=lambda ctx: ctx.pipeline.ocr_engine.name,
    shutdown_grace_s=80.0,  # a document takes seconds on CPU; the Deployment allows 90 s
)
