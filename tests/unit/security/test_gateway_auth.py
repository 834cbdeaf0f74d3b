"""Bearer tokens on the gRPC gateway, over a real in-process server (with and without TLS)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import grpc
import pytest

from idstream.errors import ConfigurationError
from idstream.security.tokens import TokenVerifier, bearer_token, hash_token, new_token
from idstream.settings import Settings
from idstream.v1 import gateway_pb2, gateway_pb2_grpc
from services.gateway import ResultCache, build_server

TOKEN = "s3cret-token-for-tests"


def test_verifier_accepts_plain_and_hashed_tokens_only() -> None:
    other = new_token()
    verifier = TokenVerifier(f"{TOKEN}, {hash_token(other)}")
    assert verifier.enabled
    assert verifier.verify(TOKEN) and verifier.verify(other)
    assert not verifier.verify("wrong") and not verifier.verify("") and not verifier.verify(None)
    assert not verifier.verify(hash_token(other))  # the digest is not a token
    assert TOKEN not in repr(verifier)
    assert not TokenVerifier("").enabled and not TokenVerifier("").verify(TOKEN)
    with pytest.raises(ConfigurationError):
        TokenVerifier("sha256:abc")


def test_bearer_token_is_read_from_authorization_metadata() -> None:
    assert bearer_token([("authorization", "Bearer abc")]) == "abc"
    assert bearer_token([("Authorization", "bearer  abc ")]) == "abc"
    assert bearer_token([("authorization", "Basic abc")]) is None
    assert bearer_token([("x-token", "abc")]) is None and bearer_token(None) is None


async def _calls(
    settings: Settings, metadata: list[tuple[str, str]] | None, tls: bytes | None = None
) -> list[str]:
    """Status codes of GetResult (unary) and WatchResults (streaming) with ``metadata``."""
    server, port = build_server(settings, store=None, cache=ResultCache(), port=0)
    await server.start()
    codes = []
    try:
        if tls is None:
            channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        else:
            creds = grpc.ssl_channel_credentials(root_certificates=tls)
            channel = grpc.aio.secure_channel(
                f"localhost:{port}", creds, options=[("grpc.ssl_target_name_override", "localhost")]
            )
        async with channel:
            stub = gateway_pb2_grpc.GatewayStub(channel)
            try:
                await stub.GetResult(
                    gateway_pb2.GetResultRequest(document_id="x"), metadata=metadata, timeout=10
                )
                codes.append("OK")
            except grpc.aio.AioRpcError as exc:
                codes.append(exc.code().name)
            try:
                call = stub.WatchResults(
                    gateway_pb2.WatchResultsRequest(document_ids=["x"]), metadata=metadata, timeout=0.5
                )
                async for _ in call:
                    pass
                codes.append("OK")
            except grpc.aio.AioRpcError as exc:
                codes.append(exc.code().name)
    finally:
        await server.stop(None)
    return codes


@pytest.mark.timeout(60)
def test_gateway_requires_a_valid_token_when_tokens_are_configured() -> None:
    settings = Settings(grpc_tokens=hash_token(TOKEN), bind_host="127.0.0.1")
    assert asyncio.run(_calls(settings, None)) == ["UNAUTHENTICATED"] * 2
    assert asyncio.run(_calls(settings, [("authorization", "Bearer wrong")])) == ["UNAUTHENTICATED"] * 2
    # With the right token: GetResult answers, WatchResults waits until its deadline.
    assert asyncio.run(_calls(settings, [("authorization", f"Bearer {TOKEN}")])) == [
        "OK",
        "DEADLINE_EXCEEDED",
    ]


@pytest.mark.timeout(60)
def test_gateway_without_tokens_listens_on_loopback_only(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(grpc_tokens="", bind_host="0.0.0.0")
    assert asyncio.run(_calls(settings, None)) == ["OK", "DEADLINE_EXCEEDED"]
    assert "bound to 127.0.0.1 only" in caplog.text


@pytest.mark.timeout(60)
def test_gateway_serves_tls_with_a_token(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    settings = Settings(grpc_tokens=TOKEN, grpc_tls_cert=str(cert), grpc_tls_key=str(key))
    good = [("authorization", f"Bearer {TOKEN}")]
    assert asyncio.run(_calls(settings, good, tls=cert.read_bytes())) == ["OK", "DEADLINE_EXCEEDED"]
    assert asyncio.run(_calls(settings, None, tls=cert.read_bytes())) == ["UNAUTHENTICATED"] * 2
    with pytest.raises(ConfigurationError):
        build_server(Settings(grpc_tls_cert=str(cert)), store=None, cache=ResultCache(), port=0)
