"""Bounded graceful shutdown of a stage service.

On SIGTERM the faust worker stops fetching, drops the messages it had buffered
but not started (their offsets are not committed, so they are redelivered), waits
for the messages in flight to be processed, sent and acknowledged, commits their
offsets and leaves the consumer group. :class:`ShutdownGrace` bounds that wait:
it counts the documents in flight and, when ``grace_s`` seconds after SIGTERM the
process has still not exited (a transient retry that outlasts the grace period,
the broker away), ends the process at once. Nothing more is committed then, so
the documents still in flight are handed back: another consumer gets them from
the last committed offset. No document is lost either way; the grace period is
chosen below Kubernetes' ``terminationGracePeriodSeconds`` so that the process
ends on its own terms, with a log line, rather than by SIGKILL.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["ShutdownGrace"]

log = logging.getLogger("idstream.service")


class ShutdownGrace:
    """Counts a stage's documents in flight and bounds its shutdown.

    Args:
        stage: the stage name (for logs).
        grace_s: seconds in-flight work gets after :meth:`begin`.
        exit: called with the exit status when the grace period is over (``os._exit``:
            it commits nothing more and skips the joins that could block).
    """

    def __init__(self, stage: str, grace_s: float, *, exit: Callable[[int], object] = os._exit) -> None:
        if grace_s <= 0:
            raise ValueError("grace_s must be > 0")
        self.stage = stage
        self.grace_s = grace_s
        self.stopping = threading.Event()
        self._exit = exit
        self._in_flight = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @contextmanager
    def working(self) -> Iterator[None]:
        """Count one document as in flight (from its processing to its broker acks)."""
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def begin(self) -> None:
        """Shutdown starts (SIGTERM): start the grace period; later calls do nothing."""
        with self._lock:
            if self.stopping.is_set():
                return
            self.stopping.set()
            in_flight = self._in_flight
            self._timer = threading.Timer(self.grace_s, self._expire)
            self._timer.daemon = True
            self._timer.start()
        log.info(
            "%s: stopping; %d document(s) in flight, finishing them within %.0f s",
            self.stage,
            in_flight,
            self.grace_s,
        )

    def drained(self) -> None:
        """The worker has stopped (offsets committed, group left); the timer stays armed
        until the process exits, in case joining threads at exit blocks."""
        log.info("%s: stopped; %d document(s) in flight", self.stage, self._in_flight)

    def _expire(self) -> None:
        in_flight = self._in_flight
        if in_flight:
            log.warning(
                "%s: grace period of %.0f s over; handing back %d document(s) in flight "
                "(offsets not committed: they will be redelivered)",
                self.stage,
                self.grace_s,
                in_flight,
            )
        else:
            log.warning(
                "%s: grace period of %.0f s over while exiting; exiting now", self.stage, self.grace_s
            )
        for handler in logging.getLogger().handlers:
            handler.flush()
        self._exit(0)
