"""Bearer-token authentication of the gRPC gateway.

Tokens come from a Secret in the setting ``IDSTREAM_GRPC_TOKENS``: comma-separated,
each either the token itself or ``sha256:HEX`` (its SHA-256, so the Secret need not
hold the tokens). Clients send ``authorization: Bearer TOKEN`` metadata; anything
else is answered ``UNAUTHENTICATED`` before the service sees the request.
Comparison is in constant time on the digests.

``grpc`` is imported only when the interceptor is built.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from idstream.errors import ConfigurationError

__all__ = ["TokenVerifier", "auth_interceptor", "bearer_token", "hash_token", "new_token"]

_PREFIX = "sha256:"


def hash_token(token: str) -> str:
    """The ``sha256:HEX`` form of ``token``, to put in ``IDSTREAM_GRPC_TOKENS``."""
    return _PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A new random token (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


class TokenVerifier:
    """Checks bearer tokens against the configured ones.

    Args:
        spec: the value of ``IDSTREAM_GRPC_TOKENS`` (empty: authentication off).

    Raises:
        ConfigurationError: a ``sha256:`` entry that is not 64 hexadecimal digits.
    """

    def __init__(self, spec: str) -> None:
        digests = []
        for i, entry in enumerate(e.strip() for e in spec.split(",")):
            if not entry:
                continue
            if entry.startswith(_PREFIX):
                hexdigest = entry[len(_PREFIX) :].lower()
                if len(hexdigest) != 64 or any(c not in "0123456789abcdef" for c in hexdigest):
                    raise ConfigurationError(
                        f"IDSTREAM_GRPC_TOKENS entry {i + 1}: sha256: needs 64 hex digits"
                    )
                digests.append(bytes.fromhex(hexdigest))
            else:
                digests.append(hashlib.sha256(entry.encode("utf-8")).digest())
        self._digests = tuple(digests)

    def __repr__(self) -> str:
        return f"TokenVerifier({len(self._digests)} token(s))"

    @property
    def enabled(self) -> bool:
        """Whether any token is configured (authentication on)."""
        return bool(self._digests)

    def verify(self, token: str | None) -> bool:
        """Whether ``token`` is one of the configured tokens."""
        if not token or not self._digests:
            return False
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        found = False
        for known in self._digests:  # no early exit: the time does not tell which token matched
            found |= hmac.compare_digest(digest, known)
        return found


def bearer_token(metadata: Iterable[tuple[str, Any]] | None) -> str | None:
    """The token of an ``authorization: Bearer TOKEN`` entry of gRPC metadata, if any."""
    for key, value in metadata or ():
        if key.lower() == "authorization" and isinstance(value, str):
            scheme, _, token = value.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def auth_interceptor(verifier: TokenVerifier) -> Any:
    """A ``grpc.aio.ServerInterceptor`` that refuses calls without a valid bearer token.

    Args:
        verifier: the configured tokens.

    Returns:
        The interceptor, for ``grpc.aio.server(interceptors=[...])``.
    """
    import grpc

    async def deny(request: Any, context: Any) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or invalid bearer token")

    class BearerTokenInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
        async def intercept_service(self, continuation: Any, details: Any) -> Any:
            if verifier.verify(bearer_token(details.invocation_metadata)):
                return await continuation(details)
            handler = await continuation(details)
            if handler is None:
                return None
            if handler.request_streaming and handler.response_streaming:
                return grpc.stream_stream_rpc_method_handler(
                    deny, handler.request_deserializer, handler.response_serializer
                )
            if handler.request_streaming:
                return grpc.stream_unary_rpc_method_handler(
                    deny, handler.request_deserializer, handler.response_serializer
                )
            if handler.response_streaming:
                return grpc.unary_stream_rpc_method_handler(
                    deny, handler.request_deserializer, handler.response_serializer
                )
            return grpc.unary_unary_rpc_method_handler(
                deny, handler.request_deserializer, handler.response_serializer
            )

    return BearerTokenInterceptor()
