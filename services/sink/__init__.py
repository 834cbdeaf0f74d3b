"""sink service: ``idstream.extracted`` → results store + ``idstream.results``.

Routes each result to auto-approval or review, publishes it, and stores it
(idempotent by document id) once the broker has acknowledged it. A result
already stored is a redelivery and is dropped; a crash between publishing and
storing republishes the result (at least once on the topic, exactly once in the
store), so nothing is lost.
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
        if store.get(msg.document_id) is not None:
            return []  # a redelivery: already published and stored
        result = ctx.pipeline.review(contracts.result_from_pb(msg.result))
        result.timings_ms["sink"] = (time.perf_counter() - start) * 1000.0
        end_to_end_s: float | None = None
        if msg.HasField("submitted_at"):
            submitted = msg.submitted_at.ToDatetime(tzinfo=UTC)
            end_to_end_s = (datetime.now(UTC) - submitted).total_seconds()
            result.timings_ms["end_to_end"] = end_to_end_s * 1000.0
        out = contracts.envelope(result, msg.image_ref)
        out.submitted_at.CopyFrom(msg.submitted_at)

        def stored() -> None:
            if store.save(result.to_dict(), image_ref=msg.image_ref):
                metrics.RESULTS.labels(result.review.status).inc()
                if end_to_end_s is not None:
                    metrics.END_TO_END_LATENCY.observe(end_to_end_s)

        return [Outgoing(ctx.topics.results, result.document_id, out.SerializeToString(), on_sent=stored)]

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
