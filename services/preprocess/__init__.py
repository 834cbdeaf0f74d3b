"""preprocess service: ``idstream.ingest`` → ``idstream.preprocessed``.

Fetches the original image, finds/rectifies/orients the document, stores the
normalized image (PNG) and publishes its reference with the preprocess report.
"""

from __future__ import annotations

from idstream import contracts
from idstream.streaming.context import StageContext
from idstream.streaming.service import ServiceSpec
from idstream.streaming.stage import Outgoing, StageHandler
from idstream.v1 import pipeline_pb2

__all__ = ["SPEC", "make_handler"]


def make_handler(ctx: StageContext) -> StageHandler:
    def handle(value: bytes) -> list[Outgoing]:
        from idstream.imageio import encode_png
        from idstream.pipeline import timed

        msg = contracts.decode(pipeline_pb2.IngestRequest, value)
        timings: dict[str, float] = {}
        with timed(timings, "preprocess"):
            image = ctx.pipeline.decode(ctx.store.get(msg.image_ref))
            normalized = ctx.pipeline.preprocess(image)
            ref = ctx.store.put(
                f"normalized/{msg.document_id}.png", encode_png(normalized.image), "image/png"
            )
        out = pipeline_pb2.PreprocessedImage(
            document_id=msg.document_id,
            image_ref=msg.image_ref,
            normalized_ref=ref,
            report=contracts.report_to_pb(normalized.report),
            timings_ms=timings,
            submitted_at=msg.submitted_at,
        )
        return [Outgoing(ctx.topics.preprocessed, msg.document_id, out.SerializeToString())]

    return handle


SPEC = ServiceSpec(
    stage="preprocess",
    input_topic=lambda t: t.ingest,
    input_type=pipeline_pb2.IngestRequest,
    make_handler=make_handler,
    metrics_port=9101,
)
