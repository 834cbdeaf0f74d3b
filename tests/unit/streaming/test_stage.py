"""process_message: metrics, retries with backoff, dead letters; never raises."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from idstream.errors import IdstreamError, StoreUnavailable, UnreadableImage
from idstream.streaming.stage import Outgoing, process_message, reason_of


def _dead_letter(value: bytes, exc: IdstreamError | Exception, attempts: int) -> Outgoing:
    return Outgoing("dlq", "k", f"{type(exc).__name__}:{attempts}:{reason_of(exc)}".encode())


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_success_passes_output_and_counts() -> None:
    before = _count("idstream_documents_processed_total", stage="t-ok")
    out = process_message("t-ok", b"x", lambda v: [Outgoing("next", "k", v + b"!")], _dead_letter)
    assert out == [Outgoing("next", "k", b"x!")]
    assert _count("idstream_documents_processed_total", stage="t-ok") == before + 1
    assert _count("idstream_in_flight_documents", stage="t-ok") == 0


def test_invalid_input_goes_to_dead_letter_at_once() -> None:
    calls = []

    def handler(value: bytes) -> list[Outgoing]:
        calls.append(value)
        raise UnreadableImage("not an image (truncated JPEG)")

    out = process_message("t-bad", b"x", handler, _dead_letter, sleep=lambda s: None)
    assert len(calls) == 1
    assert out[0].topic == "dlq"
    assert out[0].value == b"UnreadableImage:1:not an image (truncated JPEG)"
    assert _count("idstream_documents_failed_total", stage="t-bad", reason="UnreadableImage") == 1


def test_transient_errors_are_retried_with_backoff_then_succeed() -> None:
    sleeps: list[float] = []
    attempts = iter([StoreUnavailable("store down"), StoreUnavailable("store down"), None])

    def handler(value: bytes) -> list[Outgoing]:
        exc = next(attempts)
        if exc:
            raise exc
        return [Outgoing("next", "k", value)]

    out = process_message(
        "t-retry", b"x", handler, _dead_letter, max_attempts=3, backoff_s=0.1, sleep=sleeps.append
    )
    assert out == [Outgoing("next", "k", b"x")]
    assert sleeps == pytest.approx([0.1, 0.2])


def test_transient_errors_are_retried_for_the_whole_budget_not_max_attempts() -> None:
    sleeps: list[float] = []

    def handler(value: bytes) -> list[Outgoing]:
        raise StoreUnavailable("store down")

    out = process_message(
        "t-down",
        b"x",
        handler,
        _dead_letter,
        max_attempts=2,
        backoff_s=1,
        max_backoff_s=4,
        transient_budget_s=20,
        sleep=sleeps.append,
    )
    assert sleeps == [1, 2, 4, 4, 4, 4]  # capped backoff until the 20 s budget would be exceeded
    assert out[0].value.startswith(b"StoreUnavailable:7:")


def test_unexpected_exception_never_escapes_and_hides_its_text() -> None:
    def handler(value: bytes) -> list[Outgoing]:
        raise KeyError("ERIKSSON")  # a library error whose text could hold personal data

    out = process_message("t-bug", b"x", handler, _dead_letter, max_attempts=1, sleep=lambda s: None)
    assert out[0].value == b"KeyError:1:internal error (KeyError)"
