"""The faust-streaming adapter shared by the four stage services.

A service is a :class:`ServiceSpec`: its stage name, the topic it consumes, the
message type it reads, and a factory for its handler. :func:`run_service`
builds the faust app (one consumer group per stage), an agent that runs the
handler in a bounded thread pool (so CPU-heavy stages never block heartbeats),
sends what the handler returns, and exposes ``/metrics``, ``/healthz`` and
``/readyz``.

Delivery: a message's offset is acked (and then committed) only once everything
the handler returned has been acknowledged by the broker, so every stage is
at-least-once. On SIGTERM the worker stops fetching, finishes the documents in
flight, commits their offsets and leaves the group; :class:`ShutdownGrace` bounds
that to the service's ``shutdown_grace_s`` and hands back what is still in flight
(see :mod:`idstream.streaming.shutdown`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from google.protobuf.message import Message

from idstream import metrics
from idstream.errors import TransientError
from idstream.settings import Settings, load_settings
from idstream.streaming.context import StageContext, dead_letter_factory
from idstream.streaming.shutdown import ShutdownGrace
from idstream.streaming.stage import Outgoing, StageHandler, process_message
from idstream.topics import Topics

__all__ = ["ServiceSpec", "build_app", "run_service"]

log = logging.getLogger("idstream.service")


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A stage service: what it consumes and how it handles one message."""

    stage: str
    input_topic: Callable[[Topics], str]
    input_type: type[Message]
    make_handler: Callable[[StageContext], StageHandler]
    metrics_port: int
    warm_up: Callable[[StageContext], None] = lambda context: None
    model_version: Callable[[StageContext], str] = lambda context: "none"
    #: seconds in-flight work gets after SIGTERM; below the Deployment's terminationGracePeriodSeconds
    shutdown_grace_s: float = 25.0


def build_app(  # type: ignore[no-untyped-def]
    spec: ServiceSpec, settings: Settings, context: StageContext, grace: ShutdownGrace | None = None
):
    """The faust app of one stage, with its agent, lag monitor and start-up task."""
    import faust

    datadir = settings.run_path / "faust" / spec.stage
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        f"{settings.topic_prefix}-{spec.stage}",
        broker=f"kafka://{settings.kafka_bootstrap.replace(',', ';kafka://')}",
        value_serializer="raw",
        key_serializer="raw",
        web_enabled=False,
        datadir=str(datadir),
        topic_partitions=settings.partitions,
        topic_allow_declare=False,
        producer_acks=-1,
        broker_commit_every=50,
        broker_commit_interval=1.0,
        stream_wait_empty=True,
        consumer_auto_offset_reset="earliest",
    )
    source = app.topic(spec.input_topic(context.topics), value_type=bytes, key_type=bytes)
    handler = spec.make_handler(context)
    dead_letter = dead_letter_factory(context, source.get_topic_name(), spec.input_type)
    pool = ThreadPoolExecutor(max_workers=settings.max_in_flight, thread_name_prefix=spec.stage)
    grace = grace or ShutdownGrace(spec.stage, spec.shutdown_grace_s)
    topics_by_name: dict[str, object] = {}

    def topic(name: str):  # type: ignore[no-untyped-def]
        if name not in topics_by_name:
            topics_by_name[name] = app.topic(name, value_type=bytes, key_type=bytes)
        return topics_by_name[name]

    async def send_all(outgoing: list[Outgoing]) -> None:
        """Send and wait for the broker's acks; the input's offset is acked only after this returns.

        While the broker is away, keep trying (with capped backoff) rather than drop
        the output: a duplicate downstream is harmless (idempotent by document id),
        a lost message is not.
        """
        delay = 0.5
        while True:
            try:
                futures = [
                    await topic(o.topic).send(key=o.key.encode(), value=o.value)  # type: ignore[attr-defined]
                    for o in outgoing
                ]
                for fut in futures:
                    await fut
                break
            except Exception as exc:  # aiokafka's KafkaError family, timeouts
                metrics.RETRIES.labels(spec.stage).inc()
                log.warning("%s: cannot send (%s); retrying in %.1f s", spec.stage, type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        loop = asyncio.get_running_loop()
        for o in outgoing:
            if o.on_sent is not None:
                await loop.run_in_executor(pool, _until_done, spec.stage, o.on_sent)

    @app.agent(source, concurrency=settings.max_in_flight)
    async def stage_agent(stream):  # type: ignore[no-untyped-def]
        loop = asyncio.get_running_loop()
        async for value in stream:  # faust acks a message when the loop asks for the next one
            metrics.BATCH_SIZE.labels(spec.stage).observe(1)  # one message at a time
            work = partial(
                process_message, spec.stage, value, handler, dead_letter, max_attempts=settings.max_attempts
            )
            with grace.working():
                outgoing = await loop.run_in_executor(pool, work)
                await send_all(outgoing)

    @app.task  # type: ignore[untyped-decorator]
    async def ready() -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(pool, spec.warm_up, context)
        metrics.MODEL_INFO.labels(spec.stage, spec.model_version(context)).set(1)
        log.info("%s ready", spec.stage)
        context.ready.set()

    @app.timer(interval=5.0)  # type: ignore[untyped-decorator]
    async def report_lag() -> None:
        metrics.CONSUMER_LAG.labels(spec.stage).set(_lag(app))

    return app


def _until_done(stage: str, action: Callable[[], object]) -> None:
    """Run ``action`` until it succeeds, retrying transient failures with capped backoff."""
    delay = 0.5
    while True:
        try:
            action()
            return
        except TransientError as exc:
            metrics.RETRIES.labels(stage).inc()
            log.warning("%s: %s after send; retrying in %.1f s", stage, type(exc).__name__, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def _lag(app) -> float:  # type: ignore[no-untyped-def]
    """Messages of the partitions assigned to this consumer that the stage has not finished.

    The high-water mark minus the committed offset, not the read offset: faust fetches
    ahead into its stream buffer (up to ``stream_buffer_maxsize`` messages), and a
    burst waiting there is still work to do.
    """
    total = 0
    try:
        consumer = app.consumer
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            committed = consumer._committed_offset.get(tp)  # next offset to process; None: nothing yet
            if high is not None:
                total += max(0, int(high) - int(committed or 0))
    except Exception:  # lag is best-effort monitoring; never break the stage
        return 0.0
    return float(total)


def run_service(spec: ServiceSpec, settings: Settings | None = None) -> None:
    """Run one stage service until SIGTERM/SIGINT (the entry point of ``python -m services.<stage>``)."""
    import faust

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings or load_settings()
    context = StageContext.from_settings(spec.stage, settings)
    server = metrics.MetricsServer(
        settings.metrics_port or spec.metrics_port, host=settings.bind_host
    ).start()
    context.ready = server.ready
    grace = ShutdownGrace(spec.stage, spec.shutdown_grace_s)
    app = build_app(spec, settings, context, grace)

    class StageWorker(faust.Worker):  # type: ignore[misc]
        async def on_stop(self) -> None:  # first step of Worker.stop(), before the app stops
            grace.begin()
            await super().on_stop()

    worker = StageWorker(app, loglevel="info", override_logging=False)
    try:
        worker.execute_from_commandline()
    finally:
        grace.drained()
        server.stop()
