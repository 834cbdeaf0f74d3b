"""A stand-in idstream service for tests/deploy/test_prometheus_live.py.

``python tests/deploy/stage_driver.py STAGE PORT`` serves the real
``idstream.metrics.MetricsServer`` on 127.0.0.1:PORT and pushes messages through
the real ``idstream.streaming.stage.process_message`` with a trivial handler
(some messages invalid, some failing once transiently), until it is terminated.
It also sets the metrics whose instrumentation is not (yet) in the services
(test_metrics_conventions.PENDING_INSTRUMENTATION lists them), the way the
services are meant to set them. STAGE is a pipeline stage or ``review``.
"""

from __future__ import annotations

import signal
import sys
import time

from idstream import metrics
from idstream.errors import InvalidInput, TransientError
from idstream.streaming.stage import Outgoing, process_message


def run(stage: str, port: int) -> None:
    server = metrics.MetricsServer(port).start()
    server.ready.set()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    failed_once: set[int] = set()

    def handler(value: bytes) -> list[Outgoing]:
        n = int(value)
        time.sleep(0.001 * (n % 7))
        if n % 6 == 5:
            raise InvalidInput("not a document")
        if n % 4 == 1 and n not in failed_once:
            failed_once.add(n)
            raise TransientError("object store unavailable")
        return [Outgoing("idstream.next", str(n), value)]

    def dead_letter(value: bytes, exc: Exception, attempts: int) -> Outgoing:
        return Outgoing("idstream.dlq", value.decode(), value)

    n = 0
    while True:
        if stage == "review":
            metrics.REVIEW_BACKLOG.set(40 - n % 10)
            metrics.REVIEW_BACKLOG_AGE.set(600.0 + n)
            metrics.REVIEW_DECISIONS.labels(("approved", "corrected", "rejected")[n % 3]).inc()
        else:
            process_message(
                stage, str(n).encode(), handler, dead_letter, max_attempts=2, sleep=lambda s: None
            )
            metrics.BATCH_SIZE.labels(stage).observe(1 + n % 3)
            metrics.CONSUMER_LAG.labels(stage).set(150 + n)
            metrics.MODEL_INFO.labels(stage, "test-1").set(1)
            if stage == "sink":
                metrics.RESULTS.labels("auto_approved" if n % 3 else "to_review").inc()
                metrics.END_TO_END_LATENCY.observe(0.5 + (n % 10) / 2)
        n += 1
        time.sleep(0.02)


if __name__ == "__main__":
    run(sys.argv[1], int(sys.argv[2]))
