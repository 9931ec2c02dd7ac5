"""The live-chat bridge end to end against the emulator (both fixtures), and against the contract runner."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from emulator.contract import assert_outgoing_contract
from tests.conftest import LiveServer, make_config
from tests.examples.livechat_bridge import create_bridge

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# (workspace file, token, channel the bridge serves, its signing scheme)
SETUPS = {
    "default": ("default-workspace.json", "front-emulator-token", "cha_1a01", "sha1-body"),
    "multi-channel SMS": (
        "multi-channel-workspace.json",
        "multi-channel-token",
        "cha_2a02",
        "sha256-timestamp",
    ),
}


def _until(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


@pytest.fixture(params=sorted(SETUPS))
def world(request):
    """The emulator and the bridge, each on a real port: the emulator POSTs replies to the bridge's URL."""
    workspace, token, channel, scheme = SETUPS[request.param]
    emulator = LiveServer.emulator(make_config(workspace_path=FIXTURES / workspace))
    front_url = emulator.start()
    front = httpx.Client(base_url=front_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    secret = front.get("/_emulator/workspace").json()["api_secret"]
    bridge = LiveServer(create_bridge(front_url, token, channel, secret, scheme))
    bridge_url = bridge.start()
    settings = {"webhook_url": bridge_url + "/front/outgoing", "undo_send_time": 0}
    front.patch(f"/channels/{channel}", json={"settings": settings}).raise_for_status()
    yield front, bridge_url, channel, secret, scheme
    front.close()
    bridge.stop()
    emulator.stop()


def test_visitor_message_reaches_front_and_the_teammate_reply_reaches_the_chat(world):
    front, bridge_url, channel, _, _ = world
    with httpx.Client(base_url=bridge_url, timeout=10) as chat:
        sent = chat.post(
            "/chat/s-1/messages", json={"visitor": "+15550107777", "name": "Ada", "text": "Hi 👋"}
        )
        assert sent.status_code == 202, sent.text
        uid = sent.json()["message_uid"]
        message = _until(lambda: (a := front.get(f"/messages/alt:uid:{uid}")).status_code == 200 and a.json())
        assert message["is_inbound"] and message["text"] == "Hi 👋"
        assert message["metadata"]["thread_ref"] == "s-1"
        conversation = message["_links"]["related"]["conversation"].rsplit("/", 1)[1]
        teammate = front.get("/_emulator/workspace").json()["teammates"][0]
        reply = front.post(
            f"/conversations/{conversation}/messages",
            json={"author_id": teammate["id"], "body": "<p>Hello Ada, café is on us ☕</p>"},
        )
        assert reply.status_code == 202, reply.text
        transcript = _until(lambda: len(lines := chat.get("/chat/s-1").json()) == 2 and lines)
    assert [line["author"] for line in transcript] == ["visitor", teammate["first_name"]]
    assert transcript[1]["text"] == "Hello Ada, café is on us ☕"
    # The bridge shows the reply before it answers the emulator, which journals the delivery only then.
    condition = {"deliveries": 1, "channel_id": channel, "timeout": 30}
    waited = front.post("/_emulator/wait", json=condition).json()
    assert waited["satisfied"], waited
    deliveries = front.get("/_emulator/deliveries", params={"channel_id": channel}).json()["_results"]
    assert [d["outcome"] for d in deliveries] == ["sent"]
    assert deliveries[0]["answer"]["body"] == f'{{"type":"success","external_id":"{transcript[1]["id"]}"}}'


def test_reply_to_an_unknown_visitor_fails_with_the_bridge_reason(world):
    front, _, channel, _, _ = world
    teammate = front.get("/_emulator/workspace").json()["teammates"][0]
    # A conversation the bridge never saw: the visitor wrote to Front directly.
    uid = front.post(
        f"/channels/{channel}/incoming_messages", json={"sender": {"handle": "+15550109999"}, "body": "hi"}
    ).json()["message_uid"]
    message = _until(lambda: (a := front.get(f"/messages/alt:uid:{uid}")).status_code == 200 and a.json())
    conversation = message["_links"]["related"]["conversation"].rsplit("/", 1)[1]
    reply = front.post(
        f"/conversations/{conversation}/messages", json={"author_id": teammate["id"], "body": "x"}
    )
    assert reply.status_code == 202, reply.text
    deliveries = _until(
        lambda: front.get("/_emulator/deliveries", params={"channel_id": channel}).json()["_results"]
    )
    assert deliveries[0]["error_type"] == "not_found"
    assert deliveries[0]["reason"] == "No chat session for +15550109999."


def test_the_bridge_passes_the_outgoing_contract(world):
    _, bridge_url, _, secret, scheme = world
    report = assert_outgoing_contract(bridge_url + "/front/outgoing", secret, scheme=scheme, examples=20)
    assert report.ok and report.checks[0].examples > 10


def test_multi_channel_cannot_reply_channel_refuses_teammate_replies():
    emulator = LiveServer.emulator(make_config(workspace_path=FIXTURES / "multi-channel-workspace.json"))
    url = emulator.start()
    try:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer multi-channel-token"}) as front:
            uid = front.post(
                "/channels/cha_2a03/incoming_messages",
                json={"sender": {"handle": "orders-bot"}, "body": "Order #1042 shipped"},
            ).json()["message_uid"]
            message = _until(
                lambda: (a := front.get(f"/messages/alt:uid:{uid}")).status_code == 200 and a.json()
            )
            conversation = message["_links"]["related"]["conversation"].rsplit("/", 1)[1]
            answer = front.post(
                f"/conversations/{conversation}/messages", json={"author_id": "tea_2b01", "body": "ok"}
            )
        assert answer.status_code == 403
        assert "Cannot reply" in answer.json()["_error"]["message"]
    finally:
        emulator.stop()
