"""sink service: ``idstream.extracted`` → results store + ``idstream.results``.

Routes each result to auto-approval or review, stores it (idempotent by
document id) and publishes it. A redelivered result is stored once and
published once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from idstream import contracts, metrics
from idstream.streaming.context import StageContext
from idstream.streaming.service import ServiceSpec
from idstream.streaming.stage import Outgoing, StageHandler
from idstream.v1 import pipeline_pb2

__all__ = ["SPEC", "make_handler"]


def make_handler(ctx: StageContext) -> StageHandler:
    from idstream.sink.store import ResultStore

    store = ResultStore(ctx.settings.db_url)

    def handle(value: bytes) -> list[Outgoing]:
        start = time.perf_counter()
        msg = contracts.decode(pipeline_pb2.ResultEnvelope, value)
        result = ctx.pipeline.review(contracts.result_from_pb(msg.result))
        result.timings_ms["sink"] = (time.perf_counter() - start) * 1000.0
        if msg.HasField("submitted_at"):
            submitted = msg.submitted_at.ToDatetime(tzinfo=UTC)
            result.timings_ms["end_to_end"] = (datetime.now(UTC) - submitted).total_seconds() * 1000.0
        if not store.save(result.to_dict(), image_ref=msg.image_ref):
            return []  # a redelivery: already stored and published
        metrics.RESULTS.labels(result.review.status).inc()
        out = contracts.envelope(result, msg.image_ref)
        out.submitted_at.CopyFrom(msg.submitted_at)
        return [Outgoing(ctx.topics.results, result.document_id, out.SerializeToString())]

    return handle


def warm_up(ctx: StageContext) -> None:
    _ = ctx.pipeline.policy


SPEC = ServiceSpec(
    stage="sink",
    input_topic=lambda t: t.extracted,
    input_type=pipeline_pb2.ResultEnvelope,
    make_handler=make_handler,
    metrics_port=9104,
    warm_up=warm_up,
)
