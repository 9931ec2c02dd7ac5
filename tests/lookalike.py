"""A plain HTTP server that answers every GET like a ready emulator's /_emulator/readyz, but is not one.

It holds a port the way a stray process does in CI, so tests can check that `readyz` and the CI recipes
refuse it rather than report ready.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

READYZ_LOOKALIKE = b'{"status": "ready", "channels": 3, "messages": 0, "pending_messages": 0}'


class _LookalikeHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(READYZ_LOOKALIKE)))
        self.end_headers()
        self.wfile.write(READYZ_LOOKALIKE)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the other side's output."""


@contextmanager
def lookalike_server() -> Iterator[int]:
    """Serve on a free port of 127.0.0.1 and yield the port; stopped afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LookalikeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
