"""Shared by the benchmark scripts: the realistic request body and a quick in-process emulator."""

from __future__ import annotations

import os
import socket
import sys
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
