"""A stdlib-only Kafka readiness probe: one Metadata request over a socket.

Kafka 4.x removed Metadata versions below 4, so the probe speaks v4 (the last
version before the "flexible" encoding): request header v1, response header v0.
"""

from __future__ import annotations

import os
import socket
import struct

__all__ = ["probe_metadata"]


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        data.extend(chunk)
    return bytes(data)


def probe_metadata(host: str, port: int, timeout: float = 2.0) -> tuple[list[tuple[int, str, int]], int]:
    """Send one Metadata (v4, no topics) request and decode the brokers and controller.

    Stdlib only, so that readiness checks need no Kafka client.

    Args:
        host: Broker host.
        port: Broker port.
        timeout: Socket timeout in seconds.

    Returns:
        ``([(node_id, host, port), ...], controller_id)``.

    Raises:
        OSError: If the broker cannot be reached.
        ValueError: If the answer is not a Metadata v4 response.
    """
    client_id = b"idstream-probe"
    correlation_id = int.from_bytes(os.urandom(3), "big")
    # Request header v1: api_key=3 (Metadata), api_version=4, correlation id, client id.
    header = struct.pack(">hhih", 3, 4, correlation_id, len(client_id)) + client_id
    body = struct.pack(">i?", 0, False)  # topics = [] (none), allow_auto_topic_creation = false
    request = header + body
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", _read_exact(sock, 4))
        if size <= 0 or size > 1 << 20:
            raise ValueError(f"bad response size {size}")
        payload = _read_exact(sock, size)
    (got_correlation, _throttle, n_brokers) = struct.unpack_from(">iii", payload, 0)
    if got_correlation != correlation_id:
        raise ValueError("correlation id mismatch")
    offset = 12
    brokers: list[tuple[int, str, int]] = []
    for _ in range(max(n_brokers, 0)):
        (node_id, host_len) = struct.unpack_from(">ih", payload, offset)
        offset += 6
        node_host = payload[offset : offset + host_len].decode()
        offset += host_len
        (node_port, rack_len) = struct.unpack_from(">ih", payload, offset)
        offset += 6 + max(rack_len, 0)
        brokers.append((node_id, node_host, node_port))
    (cluster_len,) = struct.unpack_from(">h", payload, offset)
    offset += 2 + max(cluster_len, 0)
    (controller_id,) = struct.unpack_from(">i", payload, offset)
    return brokers, controller_id
