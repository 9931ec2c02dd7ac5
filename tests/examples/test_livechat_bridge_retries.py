"""The live-chat bridge against a Front that misbehaves (/_emulator/faults): it retries and still delivers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.harness import LiveServer
from tests.conftest import AUTH, CHANNEL, TOKEN, make_config
from tests.examples.livechat_bridge import create_bridge

INCOMING = "/channels/{channel_id}/incoming_messages"


@pytest.fixture
def front_and_chat() -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """The emulator and the bridge, each on a real port (the bridge's own HTTP client talks to Front)."""
    emulator = LiveServer.emulator(make_config())
    front_url = emulator.start()
    bridge = LiveServer(create_bridge(front_url, TOKEN, CHANNEL, api_secret="", retry_backoff=0.05))
    with (
        httpx.Client(base_url=front_url, headers=AUTH, timeout=10) as front,
        httpx.Client(base_url=bridge.start(), timeout=30) as chat,
    ):
        yield front, chat
    bridge.stop()
    emulator.stop()


def _visitor_writes(chat: httpx.Client) -> str:
    sent = chat.post("/chat/s-1/messages", json={"visitor": "+15550107777", "name": "Ada", "text": "Hi"})
    assert sent.status_code == 202, sent.text
    return str(sent.json()["message_uid"])


def _created(front: httpx.Client, uid: str) -> dict[str, Any]:
    waited = front.post("/_emulator/wait", json={"message_uid": uid, "timeout": 10}).json()
    assert waited["satisfied"], f"message {uid} was never created"
    message: dict[str, Any] = front.get(f"/messages/alt:uid:{uid}").json()
    return message


@pytest.mark.parametrize(
    "fault",
    [{"status": 503, "times": 1}, {"status": 429, "retry_after": 1, "times": 1}, {"status": 502, "times": 2}],
    ids=["503 once", "429 with Retry-After", "502 twice"],
)
def test_the_bridge_retries_and_the_message_is_still_created(
    front_and_chat: tuple[httpx.Client, httpx.Client], fault: dict[str, Any]
) -> None:
    front, chat = front_and_chat
    injected = front.post("/_emulator/faults", json={"route": INCOMING, **fault})
    assert injected.status_code == 201, injected.text

    message = _created(front, _visitor_writes(chat))

    assert message["text"] == "Hi" and message["metadata"]["thread_ref"] == "s-1"
    journal = front.get("/_emulator/requests", params={"path_prefix": "/channels/"}).json()["_results"]
    failures = [fault["status"]] * fault["times"]
    assert [entry["status"] for entry in journal] == [*failures, 202]
    assert [entry["injected_by"] for entry in journal] == [injected.json()["id"]] * fault["times"] + [None]


def test_the_bridge_gives_up_on_a_fault_that_never_ends(
    front_and_chat: tuple[httpx.Client, httpx.Client],
) -> None:
    front, chat = front_and_chat
    front.post("/_emulator/faults", json={"route": INCOMING, "status": 503}).raise_for_status()

    answer = chat.post("/chat/s-1/messages", json={"visitor": "+15550107777", "text": "Hi"})

    # The bridge lets its own caller know (Starlette's 500) after MAX_ATTEMPTS tries, and nothing exists.
    assert answer.status_code == 500
    assert front.get("/_emulator/faults").json()["_results"][0]["fired"] == 4
    assert front.get("/_emulator/readyz").json()["messages"] == 0
