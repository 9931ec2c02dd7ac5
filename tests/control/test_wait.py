"""POST /_emulator/wait (emulator/control/wait.py): long-polls for a message or deliveries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.domain.creation_delay import CreationDelay
from emulator.harness import LiveServer
from tests.conftest import (
    AUTH,
    CHANNEL,
    make_config,
    post_message,
    read_message,
)
from tests.control.helpers import MESSAGE, advance, conversation_id_of, error_of, freeze
from tests.receiver import Receiver

# -- wait ----------------------------------------------------------------------------------------------


def test_wait_for_a_message_with_a_frozen_clock(make_client):
    client = make_client(creation_delay=CreationDelay(2, 2))
    freeze(client)
    uid = post_message(client, MESSAGE)
    first = client.post("/_emulator/wait", json={"message_uid": uid, "timeout": 0}).json()
    assert first == {"satisfied": False, "waited": first["waited"], "message_uid": uid}
    advance(client, 2)
    waited = client.post("/_emulator/wait", json={"message_uid": uid}).json()
    message = read_message(client, uid)
    assert waited == {
        "satisfied": True,
        "waited": waited["waited"],
        "message_uid": uid,
        "message_id": message["id"],
        "conversation_id": conversation_id_of(client, uid),
    }


def test_wait_refusals(client):
    for body, details in (
        ({}, ["/: give message_uid (wait for that message) or deliveries (wait for that many deliveries)"]),
        ({"deliveries": 1, "timeout": 61}, ["/timeout: must be <= 60"]),
        ({"message_uid": "nope"}, ["/message_uid: must match the pattern ^[0-9a-f]{32}$"]),
        (
            {"deliveries": 0, "outcome": "lost"},
            ["/deliveries: must be >= 1", "/outcome: must be one of: sent, failed"],
        ),
    ):
        answer = client.post("/_emulator/wait", json=body)
        assert answer.status_code == 400, body
        assert error_of(answer)["details"] == details


@pytest.fixture
def delayed_server() -> Iterator[str]:
    """A live emulator on a real clock with a creation delay: nothing but time creates its messages."""
    config = make_config(creation_delay=CreationDelay(0.3, 0.3))
    server = LiveServer.emulator(config)
    url = server.start()
    yield url
    server.stop()


def test_live_wait_wakes_when_a_delayed_message_becomes_due(delayed_server: str):
    with httpx.Client(base_url=delayed_server, headers=AUTH, timeout=30) as client:
        uid = post_message(client, MESSAGE)
        assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
        waited = client.post("/_emulator/wait", json={"message_uid": uid, "timeout": 20}).json()
        assert waited["satisfied"] is True
        # It woke when the message was due, not at its timeout (the last check before giving up).
        assert waited["waited"] < 20
        assert read_message(client, uid)["text"] == "Hello"


def test_live_wait_for_deliveries_wakes_on_another_request(live_client: httpx.Client, receiver: Receiver):
    live_client.patch(
        f"/channels/{CHANNEL}", json={"settings": {"webhook_url": receiver.url, "undo_send_time": 5}}
    )
    freeze(live_client)
    conversation_id = conversation_id_of(live_client, post_message(live_client, MESSAGE))
    live_client.post(f"/conversations/{conversation_id}/messages", json={"body": "<p>x</p>"})
    results: list[dict[str, Any]] = []
    waiter = threading.Thread(
        target=lambda: results.append(
            live_client.post(
                "/_emulator/wait",
                json={"deliveries": 1, "outcome": "sent", "timeout": 20, "channel_id": CHANNEL},
            ).json()
        )
    )
    waiter.start()
    advance(live_client, 5)
    waiter.join(timeout=30)
    [waited] = results
    assert waited["satisfied"] is True and waited["deliveries"] == 1
    assert waited["waited"] < 20
    assert len(receiver.wait_for(1)) == 1
    live_client.post("/_emulator/reset")
