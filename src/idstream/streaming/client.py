"""Publishing to the ingest topic and reading the results topic (``submit``, ``results``, gateway)."""

from __future__ import annotations

import asyncio
import mimetypes
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from idstream import contracts
from idstream.document import DocumentResult
from idstream.errors import BrokerUnavailable, InvalidInput
from idstream.settings import Settings
from idstream.topics import Topics
from idstream.v1 import pipeline_pb2

__all__ = ["Submission", "consume_results", "new_document_id", "publish_ingest", "upload_image"]

#: Largest image accepted for submission (the decoder refuses > 50 megapixels anyway).
MAX_IMAGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Submission:
    """An image to submit: its bytes, content type and document id."""

    document_id: str
    data: bytes
    content_type: str


def new_document_id() -> str:
    return "doc-" + uuid.uuid4().hex[:24]


def guess_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def upload_image(store: Any, submission: Submission) -> str:
    """Put the original image in the object store (deterministic key); returns its reference."""
    if not submission.data:
        raise InvalidInput("empty image")
    if len(submission.data) > MAX_IMAGE_BYTES:
        raise InvalidInput(f"image too large ({len(submission.data)} bytes)")
    ref: str = store.put(f"ingest/{submission.document_id}", submission.data, submission.content_type)
    return ref


def ingest_message(document_id: str, image_ref: str, content_type: str, client: str) -> bytes:
    msg = pipeline_pb2.IngestRequest(
        document_id=document_id, image_ref=image_ref, content_type=content_type, client=client
    )
    msg.submitted_at.CopyFrom(contracts.now_timestamp())
    return msg.SerializeToString()


async def publish_ingest(settings: Settings, messages: Sequence[tuple[str, bytes]]) -> None:
    """Send ``(document_id, IngestRequest bytes)`` pairs to the ingest topic and wait for the acks."""
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import KafkaError

    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    topic = Topics(settings.topic_prefix).ingest
    try:
        await producer.start()
        futures = [await producer.send(topic, key=doc_id.encode(), value=value) for doc_id, value in messages]
        await asyncio.gather(*futures)
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot publish to {topic} ({type(exc).__name__})") from exc
    finally:
        await producer.stop()


async def consume_results(
    settings: Settings,
    *,
    count: int | None,
    timeout: float,
    topic: str | None = None,
    from_beginning: bool = True,
    group: str | None = None,
) -> AsyncIterator[tuple[str, bytes]]:
    """Yield ``(document_id, message bytes)`` from the results topic (or ``topic``).

    Stops after ``count`` messages or when ``timeout`` seconds pass without reaching it.
    """
    from aiokafka import AIOKafkaConsumer
    from aiokafka.errors import KafkaError

    name = topic or Topics(settings.topic_prefix).results
    consumer = AIOKafkaConsumer(
        name,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=group is not None,
    )
    try:
        await consumer.start()
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot consume {name} ({type(exc).__name__})") from exc
    seen = 0
    deadline = time.monotonic() + timeout
    try:
        while count is None or seen < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            batch = await consumer.getmany(timeout_ms=int(min(left, 1.0) * 1000))
            for records in batch.values():
                for record in records:
                    yield (record.key or b"").decode(errors="replace"), record.value or b""
                    seen += 1
                    if count is not None and seen >= count:
                        return
    finally:
        await consumer.stop()


def decode_result(value: bytes) -> tuple[DocumentResult, str]:
    """A results-topic message → (result, image reference)."""
    env = contracts.decode(pipeline_pb2.ResultEnvelope, value)
    return contracts.result_from_pb(env.result), env.image_ref
