"""The gateway's result cache and its GetResult / WatchResults over a real in-process gRPC server."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from idstream import contracts
from idstream.document import DocumentResult, FieldValue
from idstream.settings import Settings
from idstream.v1 import gateway_pb2, gateway_pb2_grpc, result_pb2
from services.gateway import Gateway, ResultCache


def _result(doc_id: str) -> result_pb2.DocumentResult:
    return contracts.result_to_pb(
        DocumentResult(
            document_id=doc_id, document_type="id_card", fields={"surname": FieldValue("X", "X", 0.9)}
        )
    )


def test_cache_is_bounded_and_keeps_the_newest() -> None:
    cache = ResultCache(capacity=2)
    for doc in ("a", "b", "c"):
        cache.add(_result(doc))
    assert cache.get("a") is None
    assert cache.get("c") is not None


def test_wait_for_returns_a_result_added_later_and_times_out_otherwise() -> None:
    async def scenario() -> tuple[object, object]:
        cache = ResultCache()
        waiter = asyncio.create_task(cache.wait_for("late", timeout=5))
        await asyncio.sleep(0.05)
        cache.add(_result("late"))
        found = await waiter
        missing = await cache.wait_for("never", timeout=0.1)
        return found, missing

    found, missing = asyncio.run(scenario())
    assert getattr(found, "document_id", None) == "late"
    assert missing is None


@pytest.mark.timeout(30)
def test_get_result_and_watch_results_over_grpc() -> None:
    async def scenario() -> tuple[gateway_pb2.GetResultResponse, list[str]]:
        cache = ResultCache()
        server = grpc.aio.server()
        gateway_pb2_grpc.add_GatewayServicer_to_server(Gateway(Settings(), store=None, cache=cache), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            cache.add(_result("first"))
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                stub = gateway_pb2_grpc.GatewayStub(channel)
                got = await stub.GetResult(gateway_pb2.GetResultRequest(document_id="first"))
                stream = stub.WatchResults(gateway_pb2.WatchResultsRequest(document_ids=["first", "second"]))

                async def publish_later() -> None:
                    await asyncio.sleep(0.2)
                    cache.add(_result("other"))
                    cache.add(_result("second"))

                task = asyncio.create_task(publish_later())
                seen = [reply.result.document_id async for reply in stream]
                await task
        finally:
            await server.stop(None)
        return got, seen

    got, seen = asyncio.run(scenario())
    assert got.ready and got.result.document_id == "first"
    assert '"document_id": "first"' in got.result_json
    assert seen == ["first", "second"]
