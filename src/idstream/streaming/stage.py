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
from dataclasses import dataclass, field

from idstream import metrics
from idstream.errors import IdstreamError, InvalidInput, NotFound, TransientError

__all__ = ["Outgoing", "StageHandler", "process_message"]

log = logging.getLogger("idstream.stage")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to send: topic, key (the document id) and serialized value.

    ``on_sent``, if given, runs once the broker has acknowledged the message (the
    sink records a result as stored only after it is published, so a crash in
    between republishes instead of losing it).
    """

    topic: str
    key: str
    value: bytes
    on_sent: Callable[[], object] | None = field(default=None, compare=False)


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
    max_backoff_s: float = 5.0,
    transient_budget_s: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outgoing]:
    """Run ``handler`` on one message with retries; never raises.

    Retry policy:

    * :class:`InvalidInput`, :class:`NotFound` (a reference to a missing object):
      no retry, one dead letter.
    * :class:`TransientError` (store or broker unavailable): retried with
      exponential backoff (capped at ``max_backoff_s``) for up to
      ``transient_budget_s`` seconds, so an outage of the store does not turn
      documents into dead letters; only then a dead letter.
    * anything else (a poison message or a bug): ``max_attempts`` attempts, then
      a dead letter whose reason names the error class only.

    Returns:
        the messages to send: the handler's output, or one dead letter.
    """
    metrics.IN_FLIGHT.labels(stage).inc()
    start = time.perf_counter()
    try:
        attempt = 0
        waited = 0.0
        while True:
            attempt += 1
            delay = min(backoff_s * 2 ** (attempt - 1), max_backoff_s)
            try:
                out = handler(value)
            except (InvalidInput, NotFound) as exc:  # retrying cannot help
                return _failed(stage, value, exc, attempt, dead_letter)
            except TransientError as exc:
                if waited + delay > transient_budget_s:
                    return _failed(stage, value, exc, attempt, dead_letter)
                metrics.RETRIES.labels(stage).inc()
                log.warning("%s: transient failure (%s), retry %d", stage, type(exc).__name__, attempt)
                sleep(delay)
                waited += delay
                continue
            except Exception as exc:  # a bug or an unforeseen library error: never crash the stage
                log.error("%s: unexpected %s (attempt %d)", stage, type(exc).__name__, attempt)
                if attempt >= max_attempts:
                    return _failed(stage, value, exc, attempt, dead_letter)
                metrics.RETRIES.labels(stage).inc()
                sleep(delay)
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
