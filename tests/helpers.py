"""What tests through HTTP share: Front's error envelope, a conversation to reply in, a receiver to deliver
to, and waiting for the delivery engine (on a condition, never a fixed sleep)."""

from __future__ import annotations

import time
from typing import Any

import httpx
from starlette.testclient import TestClient

from emulator.schemas import validator
from tests.conftest import CHANNEL, post_message, read_message
from tests.receiver import Receiver

Client = TestClient | httpx.Client
# Delivery statuses a message leaves no more by itself.
FINAL_STATUSES = ("sent", "failed", "cancelled")


def assert_front_error(answer: httpx.Response, status: int) -> dict[str, Any]:
    """`answer` is Front's JSON error envelope with `status`; returns its `_error`."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    document = answer.json()
    validator("error").check(document)
    error: dict[str, Any] = document["_error"]
    assert error["status"] == status
    return error


def conversation_of(message: dict[str, Any]) -> str:
    """The `cnv_…` id of the conversation a message (as Front's API shows it) belongs to."""
    return str(message["_links"]["related"]["conversation"]).rsplit("/", 1)[1]


def start_conversation(
    client: Client,
    handle: str = "visitor-1",
    body: str = "Hi, I need help",
    channel: str = CHANNEL,
    **fields: Any,
) -> dict[str, Any]:
    """A contact writes in: the inbound message, in the conversation it starts (see conversation_of)."""
    return read_message(
        client, post_message(client, {"sender": {"handle": handle}, "body": body, **fields}, channel)
    )


def use_receiver(client: Client, receiver: Receiver, channel: str = CHANNEL, **settings: Any) -> None:
    """Point the channel's Outgoing URL at `receiver`, signing as it verifies."""
    answer = client.patch(
        f"/channels/{channel}",
        json={"settings": {"webhook_url": receiver.url, "signing_scheme": receiver.scheme, **settings}},
    )
    assert answer.status_code == 204, answer.text


def final_state(client: Client, message_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """The outbound message's delivery state once it is final (or as it is when the bound has passed)."""
    deadline = time.monotonic() + timeout
    while True:
        state: dict[str, Any] = client.get(f"/_emulator/messages/{message_id}").json()
        if state["delivery_status"] in FINAL_STATUSES or time.monotonic() > deadline:
            return state
        time.sleep(0.01)


def wait_until_idle(client: Client | Any, timeout: float = 30.0) -> None:
    """No delivery attempt runs in the emulator (`client`'s app, or the app itself): whatever it was
    going to POST has reached the receiver."""
    app = getattr(client, "app", client)
    engine = app.state.engine
    deadline = time.monotonic() + timeout
    while engine.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)
    assert engine.in_flight == 0, f"{engine.in_flight} delivery attempts still running after {timeout:g} s"


def wait_for_deliveries(client: Client, count: int = 1, **filters: str) -> list[dict[str, Any]]:
    """The delivery journal (filtered) once it holds at least `count` entries: /_emulator/wait long-polls."""
    waited = client.post("/_emulator/wait", json={"deliveries": count, "timeout": 30, **filters}).json()
    assert waited["satisfied"], waited
    deliveries: list[dict[str, Any]] = client.get("/_emulator/deliveries", params=filters).json()["_results"]
    return deliveries


def delivered_with_witness(client: Client, receiver: Receiver, witness_id: str, app: Any = None) -> list[str]:
    """The ids `receiver` got, once the witness message is sent and no attempt runs: anything the engine
    took up with the witness, or before it, has arrived by then. (`app`: the emulator's app when `client`
    is a plain HTTP client.)"""
    assert final_state(client, witness_id)["delivery_status"] == "sent"
    wait_until_idle(app if app is not None else client)
    return [request.document["id"] for request in receiver.received]
