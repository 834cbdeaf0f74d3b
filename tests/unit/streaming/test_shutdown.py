"""ShutdownGrace: counts documents in flight, ends the process when the grace period is over."""

from __future__ import annotations

import threading
import time

import pytest

from idstream.streaming.shutdown import ShutdownGrace


def test_counts_documents_in_flight() -> None:
    grace = ShutdownGrace("t", 1.0, exit=lambda status: None)
    with grace.working():
        with grace.working():
            assert grace.in_flight == 2
        assert grace.in_flight == 1
    with pytest.raises(RuntimeError), grace.working():
        raise RuntimeError("the count survives an error")
    assert grace.in_flight == 0


def test_hands_back_in_flight_work_when_the_grace_period_is_over(caplog: pytest.LogCaptureFixture) -> None:
    exited: list[int] = []
    done = threading.Event()

    def fake_exit(status: int) -> None:
        exited.append(status)
        done.set()

    grace = ShutdownGrace("t-over", 0.2, exit=fake_exit)
    with grace.working():
        started = time.monotonic()
        grace.begin()
        grace.begin()  # a second SIGTERM changes nothing
        assert grace.stopping.is_set()
        assert done.wait(5.0)
        assert 0.15 < time.monotonic() - started < 2.0
    assert exited == [0]
    assert "handing back 1 document(s) in flight" in caplog.text


def test_nothing_happens_before_the_grace_period_or_without_begin() -> None:
    exited: list[int] = []
    grace = ShutdownGrace("t-idle", 0.1, exit=exited.append)
    time.sleep(0.3)
    assert exited == [] and not grace.stopping.is_set()
    long = ShutdownGrace("t-long", 30.0, exit=exited.append)
    long.begin()
    long.drained()
    time.sleep(0.2)
    assert exited == []


def test_grace_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ShutdownGrace("t", 0)
