"""Prometheus metrics of every idstream service.

Names carry the ``idstream_`` prefix and follow Prometheus conventions (base
units as suffixes, ``_total`` counters). Labels are bounded sets (stage names,
error classes, review statuses); they never carry document ids or personal data.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

__all__ = [
    "BATCH_SIZE",
    "CONSUMER_LAG",
    "DEAD_LETTERS",
    "DOCUMENTS_FAILED",
    "DOCUMENTS_PROCESSED",
    "END_TO_END_LATENCY",
    "IN_FLIGHT",
    "MODEL_INFO",
    "RESULTS",
    "RETRIES",
    "REVIEW_BACKLOG",
    "REVIEW_BACKLOG_AGE",
    "REVIEW_DECISIONS",
    "STAGE_LATENCY",
    "MetricsServer",
]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

DOCUMENTS_PROCESSED = Counter(
    "idstream_documents_processed_total", "Documents a stage finished successfully.", ["stage"]
)
DOCUMENTS_FAILED = Counter(
    "idstream_documents_failed_total",
    "Documents a stage could not process, by error class.",
    ["stage", "reason"],
)
DEAD_LETTERS = Counter("idstream_dead_letters_total", "Messages sent to the dead-letter topic.", ["stage"])
RETRIES = Counter("idstream_retries_total", "Transient failures retried.", ["stage"])
STAGE_LATENCY = Histogram(
    "idstream_stage_latency_seconds",
    "Time a stage spends on one document.",
    ["stage"],
    buckets=_LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge("idstream_in_flight_documents", "Documents a stage is working on now.", ["stage"])
CONSUMER_LAG = Gauge(
    "idstream_consumer_lag_messages", "Messages not yet consumed by the stage's consumer group.", ["stage"]
)
RESULTS = Counter("idstream_results_total", "Results published, by review status.", ["review_status"])
MODEL_INFO = Gauge("idstream_model_info", "The model version in use (value 1).", ["stage", "model_version"])

# Defined for the dashboards and alerts of deploy/ (issue 9); where each is observed:
#: sink: seconds from ``submitted_at`` to the stored result (the ``end_to_end`` timing).
END_TO_END_LATENCY = Histogram(
    "idstream_end_to_end_latency_seconds",
    "Time from the submission of a document to its stored result.",
    buckets=(0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)
#: stage adapter: messages taken from the input at once (1 while stages take one message at a time).
BATCH_SIZE = Histogram(
    "idstream_batch_size_messages",
    "Messages a stage takes from its input topic at once.",
    ["stage"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
#: review application: documents whose status is ``to_review``, set when scraped.
REVIEW_BACKLOG = Gauge("idstream_review_backlog_documents", "Documents waiting for a reviewer.")
#: review application: age of the oldest document waiting for a reviewer (0 when none waits).
REVIEW_BACKLOG_AGE = Gauge(
    "idstream_review_backlog_oldest_age_seconds", "Age of the oldest document waiting for a reviewer."
)
#: review application: one per decision (``approved``, ``corrected``, ``rejected``).
REVIEW_DECISIONS = Counter("idstream_review_decisions_total", "Review decisions, by decision.", ["decision"])


class _Handler(BaseHTTPRequestHandler):
    ready: threading.Event

    def do_GET(self) -> None:
        if self.path.startswith("/metrics"):
            body = generate_latest(REGISTRY)
            self._send(200, body, CONTENT_TYPE_LATEST)
        elif self.path.startswith("/healthz"):
            self._send(200, b"ok\n", "text/plain")
        elif self.path.startswith("/readyz"):
            ok = self.ready.is_set()
            self._send(200 if ok else 503, b"ready\n" if ok else b"starting\n", "text/plain")
        else:
            self._send(404, b"not found\n", "text/plain")

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class MetricsServer:
    """``/metrics`` (Prometheus), ``/healthz`` (liveness) and ``/readyz`` (readiness) on one port."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.ready = threading.Event()
        handler = type("Handler", (_Handler,), {"ready": self.ready})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
