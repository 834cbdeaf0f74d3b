"""What a stage handler needs: settings, topics, the object store and the pipeline."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from google.protobuf.message import Message

from idstream.errors import IdstreamError
from idstream.pipeline import Pipeline
from idstream.settings import Settings
from idstream.streaming.stage import Outgoing, reason_of
from idstream.topics import Topics
from idstream.v1 import pipeline_pb2

if TYPE_CHECKING:
    from idstream.store.base import ObjectStore

__all__ = ["StageContext", "dead_letter_factory"]


@dataclass(slots=True)
class StageContext:
    """Long-lived resources of one stage process."""

    stage: str
    settings: Settings
    topics: Topics
    store: ObjectStore
    pipeline: Pipeline
    ready: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def from_settings(cls, stage: str, settings: Settings, pipeline: Pipeline | None = None) -> StageContext:
        from idstream.security.crypto import wrap_store
        from idstream.store.s3 import S3ObjectStore

        store = wrap_store(
            S3ObjectStore(
                endpoint=settings.s3_endpoint,
                access_key=settings.s3_access_key,
                secret_key=settings.s3_secret_key,
                bucket=settings.s3_bucket,
                secure=settings.s3_secure,
            ),
            settings.store_key,
        )
        return cls(
            stage=stage,
            settings=settings,
            topics=Topics(settings.topic_prefix),
            store=store,
            pipeline=pipeline or Pipeline(model_path=settings.model_path or None),
        )


def dead_letter_factory(context: StageContext, source_topic: str, input_type: type[Message]):  # type: ignore[no-untyped-def]
    """Build dead letters for messages of ``input_type`` read from ``source_topic``."""

    def make(value: bytes, exc: IdstreamError | Exception, attempts: int) -> Outgoing:
        document_id = ""
        try:
            msg = input_type()
            msg.ParseFromString(value)
            document_id = str(getattr(msg, "document_id", ""))
        except Exception:  # the message itself may be the problem
            document_id = ""
        letter = pipeline_pb2.DeadLetter(
            document_id=document_id,
            stage=context.stage,
            reason=reason_of(exc),
            error_type=type(exc).__name__,
            source_topic=source_topic,
            payload=value[:65536],
            attempts=attempts,
        )
        letter.failed_at.FromDatetime(datetime.now(UTC))
        return Outgoing(context.topics.dlq, document_id or "unknown", letter.SerializeToString())

    return make
