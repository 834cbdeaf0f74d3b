"""gRPC gateway for clients that don't speak Kafka.

``Submit`` stores the image and publishes it to the ingest topic; ``GetResult``
and ``WatchResults`` answer from the results topic, which the gateway follows
from its beginning (bounded cache of the most recent results).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from idstream import contracts, metrics
from idstream.errors import ConfigurationError, IdstreamError, TransientError
from idstream.security.crypto import wrap_store
from idstream.settings import Settings, load_settings
from idstream.streaming.client import (
    Submission,
    consume_results,
    decode_result,
    ingest_message,
    new_document_id,
    publish_ingest,
    upload_image,
)
from idstream.v1 import gateway_pb2, gateway_pb2_grpc, result_pb2

__all__ = ["Gateway", "ResultCache", "build_server", "serve"]

log = logging.getLogger("idstream.gateway")


class ResultCache:
    """The most recent results by document id, plus subscribers for new ones."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._results: OrderedDict[str, result_pb2.DocumentResult] = OrderedDict()
        self._subscribers: set[asyncio.Queue[result_pb2.DocumentResult]] = set()

    def add(self, result: result_pb2.DocumentResult) -> None:
        self._results[result.document_id] = result
        self._results.move_to_end(result.document_id)
        while len(self._results) > self.capacity:
            self._results.popitem(last=False)
        for queue in self._subscribers:
            queue.put_nowait(result)

    def get(self, document_id: str) -> result_pb2.DocumentResult | None:
        return self._results.get(document_id)

    @contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[result_pb2.DocumentResult]]:
        """A queue that receives every result added while the context is open."""
        queue: asyncio.Queue[result_pb2.DocumentResult] = asyncio.Queue()
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    async def wait_for(self, document_id: str, timeout: float) -> result_pb2.DocumentResult | None:
        """The result of ``document_id``, waiting up to ``timeout`` seconds for it."""
        with self.subscribe() as queue:
            found = self.get(document_id)
            if found is not None:
                return found
            async for result in _drain(queue, timeout):
                if result.document_id == document_id:
                    return result
        return None


async def _drain(
    queue: asyncio.Queue[result_pb2.DocumentResult], timeout: float | None
) -> AsyncIterator[result_pb2.DocumentResult]:
    """Items of ``queue`` as they come, until ``timeout`` seconds have passed (``None``: forever)."""
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    while True:
        left = None if deadline is None else deadline - loop.time()
        if left is not None and left <= 0:
            return
        try:
            yield await asyncio.wait_for(queue.get(), timeout=left)
        except TimeoutError:
            return


def _response(result: result_pb2.DocumentResult | None) -> gateway_pb2.GetResultResponse:
    if result is None:
        return gateway_pb2.GetResultResponse(ready=False)
    as_json = json.dumps(contracts.result_from_pb(result).to_dict(), ensure_ascii=False)
    return gateway_pb2.GetResultResponse(ready=True, result=result, result_json=as_json)


class Gateway(gateway_pb2_grpc.GatewayServicer):  # type: ignore[misc]
    """The ``idstream.v1.Gateway`` service."""

    def __init__(self, settings: Settings, store: Any, cache: ResultCache) -> None:
        self.settings = settings
        self.store = store
        self.cache = cache

    async def Submit(self, request: gateway_pb2.SubmitRequest, context: Any) -> gateway_pb2.SubmitResponse:
        import grpc

        doc_id = request.document_id or new_document_id()
        sub = Submission(doc_id, request.image, request.content_type or "application/octet-stream")
        try:
            ref = await asyncio.to_thread(upload_image, self.store, sub)
            await publish_ingest(
                self.settings, [(doc_id, ingest_message(doc_id, ref, sub.content_type, "grpc"))]
            )
        except IdstreamError as exc:
            transient = isinstance(exc, TransientError)
            code = grpc.StatusCode.UNAVAILABLE if transient else grpc.StatusCode.INVALID_ARGUMENT
            await context.abort(code, exc.reason)
        return gateway_pb2.SubmitResponse(document_id=doc_id)

    async def GetResult(
        self, request: gateway_pb2.GetResultRequest, context: Any
    ) -> gateway_pb2.GetResultResponse:
        result = self.cache.get(request.document_id)
        if result is None and request.wait_seconds > 0:
            result = await self.cache.wait_for(request.document_id, min(request.wait_seconds, 300.0))
        return _response(result)

    async def WatchResults(
        self, request: gateway_pb2.WatchResultsRequest, context: Any
    ) -> AsyncIterator[gateway_pb2.GetResultResponse]:
        wanted = set(request.document_ids)
        with self.cache.subscribe() as queue:  # subscribe first: nothing added meanwhile is missed
            pending = set(wanted)
            for doc_id in sorted(wanted):
                cached = self.cache.get(doc_id)
                if cached is not None:
                    pending.discard(doc_id)
                    yield _response(cached)
            if wanted and not pending:
                return
            async for result in _drain(queue, None):
                if wanted and result.document_id not in pending:
                    continue
                pending.discard(result.document_id)
                yield _response(result)
                if wanted and not pending:
                    return


async def follow_results(settings: Settings, cache: ResultCache, ready: asyncio.Event) -> None:
    """Feed the cache from the results topic, from its beginning, forever."""
    ready.set()
    while True:
        try:
            async for _key, value in consume_results(settings, count=None, timeout=3600.0 * 24 * 365):
                try:
                    result, _ref = decode_result(value)
                except IdstreamError:
                    continue
                cache.add(contracts.result_to_pb(result))
        except IdstreamError as exc:
            log.warning("results topic unavailable (%s); retrying", type(exc).__name__)
            await asyncio.sleep(2.0)


def build_server(
    settings: Settings, store: Any, cache: ResultCache, *, port: int | None = None
) -> tuple[Any, int]:
    """The gRPC server: bearer tokens required when ``grpc_tokens`` is set, TLS when cert and key are.

    Without tokens the gateway accepts anyone, so it then listens on 127.0.0.1 only
    (whatever ``bind_host`` says) and logs a warning.

    Returns:
        The (not yet started) ``grpc.aio`` server and the port it bound.
    """
    import grpc

    from idstream.security.tokens import TokenVerifier, auth_interceptor

    if bool(settings.grpc_tls_cert) != bool(settings.grpc_tls_key):
        raise ConfigurationError("TLS needs both IDSTREAM_GRPC_TLS_CERT and IDSTREAM_GRPC_TLS_KEY")
    verifier = TokenVerifier(settings.grpc_tokens)
    interceptors = [auth_interceptor(verifier)] if verifier.enabled else []
    server = grpc.aio.server(interceptors=interceptors)
    gateway_pb2_grpc.add_GatewayServicer_to_server(Gateway(settings, store, cache), server)
    host = settings.bind_host
    if not verifier.enabled:
        if host not in ("127.0.0.1", "localhost", "::1"):
            log.warning("IDSTREAM_GRPC_TOKENS is empty: gRPC without authentication, bound to 127.0.0.1 only")
        host = "127.0.0.1"
    address = f"{host}:{settings.grpc_port if port is None else port}"
    if settings.grpc_tls_cert and settings.grpc_tls_key:
        from pathlib import Path

        credentials = grpc.ssl_server_credentials(
            [(Path(settings.grpc_tls_key).read_bytes(), Path(settings.grpc_tls_cert).read_bytes())]
        )
        bound = server.add_secure_port(address, credentials)
    else:
        bound = server.add_insecure_port(address)
    return server, bound


async def serve(settings: Settings, metrics_port: int) -> None:
    from idstream.store.s3 import S3ObjectStore

    server_metrics = metrics.MetricsServer(metrics_port, host=settings.bind_host).start()
    store = S3ObjectStore(
        endpoint=settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        bucket=settings.s3_bucket,
        secure=settings.s3_secure,
    )
    cache = ResultCache()
    server, _ = build_server(settings, wrap_store(store, settings.store_key), cache)
    await server.start()
    following = asyncio.Event()
    task = asyncio.create_task(follow_results(settings, cache, following))
    await following.wait()
    server_metrics.ready.set()
    log.info("gateway listening on %s:%d", settings.bind_host, settings.grpc_port)
    try:
        await server.wait_for_termination()
    finally:
        task.cancel()
        server_metrics.stop()


def main() -> None:
    import signal

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    loop = asyncio.new_event_loop()
    task = loop.create_task(serve(settings, settings.metrics_port or 9105))
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    loop.add_signal_handler(signal.SIGINT, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        pass
    finally:
        loop.close()
