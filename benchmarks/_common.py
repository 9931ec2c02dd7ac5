"""Shared by the benchmark scripts: the realistic request body and a quick in-process emulator."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Runnable as `.venv/bin/python benchmarks/<name>.py` from a checkout without installing anything else.
REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

TOKEN = "front-emulator-token"
CHANNEL = "cha_1a01"
INCOMING_PATH = f"/channels/{CHANNEL}/incoming_messages"

# About 300 bytes, shaped like what a chat widget or SMS gateway posts.
MESSAGE: dict[str, Any] = {
    "sender": {"handle": "visitor-4821@example.test", "name": "Ada Visitor"},
    "subject": "Question about my order",
    "body": "Hi! My order #48213 has not arrived yet and the tracking page shows nothing. Can you help?",
    "metadata": {
        "thread_ref": "chat-session-9f2c41",
        "headers": {"x-widget-version": "4.2.1", "x-page": "/checkout"},
    },
}


@contextlib.contextmanager
def project(files: dict[str, str]) -> Iterator[Path]:
    """A throwaway folder holding `files` (name -> text): a pytest project of its own."""
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        for name, text in files.items():
            (folder / name).write_text(text)
        yield folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_bytes() -> int:
    """Resident set size of this process, from /proc (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """The scope uvicorn would hand the app for this request."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8025),
        "state": {},
    }


class AsgiClient:
    """Requests straight into an ASGI app, as uvicorn would make them, without sockets or httpx.

    The figures then hold the application's own cost only, which is what a latency comparison between
    two store sizes or a creation-latency bound is about.
    """

    def __init__(self, app: Any, token: str = TOKEN) -> None:
        self.app = app
        self.headers = [(b"host", b"127.0.0.1:8025"), (b"authorization", f"Bearer {token}".encode())]

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        headers = self.headers
        if body:
            headers = [
                *headers,
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
        scope = http_scope(method, path, headers)
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)
