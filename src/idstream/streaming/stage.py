"""What a streaming stage does with one message, independent of faust.

A :class:`StageHandler` turns the bytes of one input message into the messages
to send. :func:`process_message` wraps it with what every stage needs: metrics,
retries with backoff for transient errors, and a dead letter (with stage and
reason) for input that cannot be processed or keeps failing. The faust adapter
(:mod:`idstream.streaming.service`) only moves bytes in and out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from idstream import metrics
from idstream.errors import IdstreamError, InvalidInput, TransientError

__all__ = ["Outgoing", "StageHandler", "process_message"]

log = logging.getLogger("idstream.stage")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to send: topic, key (the document id) and serialized value."""

    topic: str
    key: str
    value: bytes


#: A stage's handler: input message bytes → messages to send. Raises
#: :class:`InvalidInput` for bad input and :class:`TransientError` for failures
#: worth retrying.
StageHandler = Callable[[bytes], list[Outgoing]]

#: Builds the dead letter for an input message that failed.
DeadLetterFactory = Callable[[bytes, IdstreamError | Exception, int], Outgoing]


def process_message(
    stage: str,
    value: bytes,
    handler: StageHandler,
    dead_letter: DeadLetterFactory,
    *,
    max_attempts: int = 3,
    backoff_s: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outgoing]:
    """Run ``handler`` on one message with retries; never raises.

    Returns:
        the messages to send: the handler's output, or one dead letter.
    """
    metrics.IN_FLIGHT.labels(stage).inc()
    start = time.perf_counter()
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                out = handler(value)
            except InvalidInput as exc:
                return _failed(stage, value, exc, attempt, dead_letter)
            except TransientError as exc:
                if attempt >= max_attempts:
                    return _failed(stage, value, exc, attempt, dead_letter)
                metrics.RETRIES.labels(stage).inc()
                log.warning("%s: transient failure (%s), retry %d", stage, type(exc).__name__, attempt)
                sleep(backoff_s * 2 ** (attempt - 1))
                continue
            except Exception as exc:  # a bug or an unforeseen library error: never crash the stage
                log.exception("%s: unexpected %s", stage, type(exc).__name__)
                if attempt >= max_attempts:
                    return _failed(stage, value, exc, attempt, dead_letter)
                metrics.RETRIES.labels(stage).inc()
                sleep(backoff_s * 2 ** (attempt - 1))
                continue
            metrics.DOCUMENTS_PROCESSED.labels(stage).inc()
            return out
    finally:
        metrics.STAGE_LATENCY.labels(stage).observe(time.perf_counter() - start)
        metrics.IN_FLIGHT.labels(stage).dec()


def _failed(
    stage: str, value: bytes, exc: Exception, attempts: int, dead_letter: DeadLetterFactory
) -> list[Outgoing]:
    metrics.DOCUMENTS_FAILED.labels(stage, type(exc).__name__).inc()
    metrics.DEAD_LETTERS.labels(stage).inc()
    log.info("%s: dead letter after %d attempt(s): %s", stage, attempts, type(exc).__name__)
    return [dead_letter(value, exc, attempts)]


def reason_of(exc: Exception) -> str:
    """The one-line reason of a dead letter (never the text of a third-party error)."""
    if isinstance(exc, IdstreamError):
        return exc.reason
    return f"internal error ({type(exc).__name__})"
