"""What the control-plane tests share: a frozen clock through HTTP and Front's error envelope."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import read_message

START = 1_800_000_000.0
REFUSED_URL = "http://127.0.0.1:1/front"  # nothing listens on port 1: a delivery fails at once
MESSAGE = {"sender": {"handle": "visitor-1"}, "body": "Hello"}


def error_of(answer: httpx.Response) -> dict[str, Any]:
    document = answer.json()
    assert set(document) == {"_error"}, document
    return document["_error"]


def freeze(client: Any, at: float = START) -> None:
    answer = client.post("/_emulator/clock/freeze", json={"at": at})
    assert answer.status_code == 200, answer.text


def advance(client: Any, seconds: float) -> dict[str, Any]:
    answer = client.post("/_emulator/clock/advance", json={"seconds": seconds})
    assert answer.status_code == 200, answer.text
    return answer.json()


def conversation_id_of(client: Any, uid: str) -> str:
    return read_message(client, uid)["_links"]["related"]["conversation"].rsplit("/", 1)[1]
