"""S3ObjectStore error mapping against tiny local fake servers (no real object store)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from idstream.errors import NotFound, StoreUnavailable
from idstream.store.s3 import S3ObjectStore


class _Handler(BaseHTTPRequestHandler):
    status = 503
    body = b""
    calls = 0

    def _answer(self) -> None:
        type(self).calls += 1
        self.send_response(self.status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.body)

    do_GET = do_PUT = do_HEAD = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(status: int, body: bytes = b"") -> Iterator[tuple[int, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"status": status, "body": body, "calls": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def unavailable_server() -> Iterator[tuple[int, type[_Handler]]]:
    yield from _serve(503)


@pytest.fixture
def missing_key_server() -> Iterator[tuple[int, type[_Handler]]]:
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>'
        b"<Message>The specified key does not exist.</Message><Resource>/b/k</Resource>"
        b"<RequestId>1</RequestId><HostId>h</HostId></Error>"
    )
    yield from _serve(404, body)


def _store(port: int, timeout: float = 5.0) -> S3ObjectStore:
    return S3ObjectStore(f"127.0.0.1:{port}", "access", "secret-key-123", bucket="bkt", timeout=timeout)


def test_5xx_is_store_unavailable_after_one_retry(unavailable_server: tuple[int, type[_Handler]]) -> None:
    port, handler = unavailable_server
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        _store(port).get("s3://bkt/k")
    assert time.monotonic() - started < 5.0
    assert handler.calls == 2  # the request and one retry
    assert isinstance(info.value.__cause__, Exception)


def test_404_no_such_key_is_not_found(missing_key_server: tuple[int, type[_Handler]]) -> None:
    port, _ = missing_key_server
    with pytest.raises(NotFound):
        _store(port).get("s3://bkt/k")
    assert not _store(port).exists("s3://bkt/k")


def test_silent_server_times_out_as_store_unavailable() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # accepts connections (backlog) but never answers
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            _store(port, timeout=1.0).get("s3://bkt/k")
        assert time.monotonic() - started < 4.0


def test_connection_refused_is_store_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        _store(port).put("k", b"v")
    assert time.monotonic() - started < 3.0


def test_endpoint_with_scheme_is_rejected() -> None:
    with pytest.raises(ValueError):
        S3ObjectStore("http://127.0.0.1:9000", "a", "b", bucket="bkt")
