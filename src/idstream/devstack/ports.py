"""Local TCP ports for the development stack."""

from __future__ import annotations

import socket

__all__ = ["free_port", "port_open"]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now (the OS picks it).

    Returns:
        The port number. Another process may take it before it is used.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Tell whether something accepts TCP connections on ``host:port``.

    Args:
        port: The port.
        host: The host.
        timeout: Connect timeout in seconds.

    Returns:
        True if a connection succeeded.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
