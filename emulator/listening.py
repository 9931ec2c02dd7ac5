"""The listening socket, bound before the app is built so the app knows its real URL (`--port 0`)."""

from __future__ import annotations

import socket


def listen(host: str, port: int) -> socket.socket:
    """A bound TCP socket for uvicorn (`Server.run(sockets=[…])`); OSError says why it cannot be had."""
    family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, protocol)
    try:
        # As uvicorn binds its own sockets: a restarted server need not wait for old connections to expire.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError:
        listener.close()
        raise
    return listener


def url_host(host: str) -> str:
    """A host as it appears in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host
