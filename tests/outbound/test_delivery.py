"""The outbound path through HTTP: teammates reply or compose, the emulator POSTs signed messages."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from emulator.domain.clock import FrozenClock
from emulator.schemas import all_schemas
from tests.conftest import CHANNEL, SMS_CHANNEL, post_message, read_message
from tests.helpers import (
    conversation_of,
    delivered_with_witness,
    final_state,
    start_conversation,
    use_receiver,
)
from tests.receiver import Answer, start_receiver

SECRET = "front-emulator-api-secret"
ADA = "tea_1b01"
GRACE = "tea_1b02"


def reply(client, conversation_id: str, body: str = "<p>Happy to help</p>", **fields) -> dict:
    answer = client.post(
        f"/conversations/{conversation_id}/messages", json={"body": body, "author_id": ADA, **fields}
    )
    assert answer.status_code == 202, answer.text
    return read_message(client, answer.json()["message_uid"])


def test_reply_is_posted_signed_and_marked_sent(client, receiver):
    use_receiver(client, receiver)
    inbound = start_conversation(client)
    conversation_id = conversation_of(inbound)
    message = reply(client, conversation_id, "<p>Bonjour, ça va ? 👋</p>")
    assert final_state(client, message["id"])["delivery_status"] == "sent"
    [request] = receiver.wait_for(1)
    assert request.signature_ok, request.signature_problem
    assert request.headers["content-type"] == "application/json"
    payload = request.document
    assert payload["id"] == message["id"]
    assert payload["is_inbound"] is False
    assert payload["type"] == "custom"
    assert payload["author"]["id"] == ADA
    assert [(r["role"], r["handle"]) for r in payload["recipients"]] == [
        ("from", "livechat@example.test"),
        ("to", "visitor-1"),
    ]
    assert payload["metadata"]["headers"]["in_reply_to"] == inbound["id"]
    assert payload["_links"]["related"]["message_replied_to"].endswith(f"/messages/{inbound['id']}")
    # The bytes are exactly JavaScript's JSON.stringify: compact and non-ASCII unescaped.
    assert "ça va ? 👋".encode() in request.body and b'": ' not in request.body
    sent = client.get(f"/messages/{message['id']}").json()
    assert {k: v for k, v in sent.items() if k != "error_type"} == {
        k: v for k, v in payload.items() if k != "error_type"
    }


def test_sha256_timestamp_scheme(client):
    receiver, server = start_receiver(SECRET, scheme="sha256-timestamp")
    try:
        use_receiver(client, receiver)
        conversation_id = conversation_of(start_conversation(client))
        message = reply(client, conversation_id)
        assert final_state(client, message["id"])["delivery_status"] == "sent"
        [request] = receiver.wait_for(1)
        assert "x-front-request-timestamp" in request.headers
        assert request.signature_ok, request.signature_problem
    finally:
        server.stop()


# Front's seven error types, as the integration's answer schema lists them.
FRONT_ERROR_TYPES = [
    kind for kind in all_schemas()["outgoing-answer"]["properties"]["type"]["enum"] if kind != "success"
]


@pytest.mark.parametrize("error_type", FRONT_ERROR_TYPES)
@pytest.mark.parametrize("with_message", [True, False])
def test_error_answers_fail_the_message(client, receiver, error_type, with_message):
    answer = (
        {"type": error_type, "message": "Customer blocked this number"}
        if with_message
        else {"type": error_type}
    )
    receiver.answer = lambda document: Answer(
        status=400 if with_message else 200, body=__import__("json").dumps(answer).encode()
    )
    use_receiver(client, receiver)
    conversation_id = conversation_of(start_conversation(client))
    message = reply(client, conversation_id)
    state = final_state(client, message["id"])
    assert state["delivery_status"] == "failed"
    assert state["error_type"] == error_type
    if with_message:
        assert state["error_reason"] == "Customer blocked this number"
    else:
        assert state["error_reason"] and state["error_reason"].endswith(".")
    assert client.get(f"/messages/{message['id']}").json()["error_type"] == error_type
    # A failed send reopens its conversation (the reply had archived it).
    assert client.get(f"/conversations/{conversation_id}").json()["status"] in ("unassigned", "assigned")
    [delivery] = client.get("/_emulator/deliveries", params={"message_id": message["id"]}).json()["_results"]
    assert delivery["outcome"] == "failed" and delivery["answer_conforms"] is True


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer(status=200, body=b"OK", content_type="text/plain"), "not JSON"),
        (Answer(status=500, body=b""), "HTTP 500 with an empty body"),
        (Answer(status=502, body=b'{"error": "upstream"}'), "not a Front answer"),
    ],
)
def test_unexpected_answers_are_internal_errors_with_a_reason(client, receiver, answer, expected):
    receiver.answer = lambda document: answer
    use_receiver(client, receiver)
    conversation_id = conversation_of(start_conversation(client))
    message = reply(client, conversation_id)
    state = final_state(client, message["id"])
    assert state["delivery_status"] == "failed"
    assert state["error_type"] == "internal_error"
    assert expected in state["error_reason"]
    [delivery] = client.get("/_emulator/deliveries", params={"message_id": message["id"]}).json()["_results"]
    assert delivery["answer_conforms"] is False


def test_timeout(client, receiver):
    receiver.answer = lambda document: Answer(delay=3)
    use_receiver(client, receiver, outgoing_timeout=0.3)
    conversation_id = conversation_of(start_conversation(client))
    message = reply(client, conversation_id)
    state = final_state(client, message["id"])
    assert state["error_type"] == "request_timeout"
    assert state["error_reason"].startswith("No answer from") and "within 0.3 s" in state["error_reason"]


def test_refused_connection(client):
    # A port that nothing listens on: bind, note it, close.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client.patch(f"/channels/{CHANNEL}", json={"settings": {"webhook_url": f"http://127.0.0.1:{port}/x"}})
    conversation_id = conversation_of(start_conversation(client))
    message = reply(client, conversation_id)
    state = final_state(client, message["id"])
    assert state["delivery_status"] == "failed"
    assert state["error_type"] == "internal_error"
    assert "connection refused" in state["error_reason"] or "Could not connect" in state["error_reason"]


def frozen_conversation(make_client, receiver, undo_send_time: int) -> tuple[FrozenClock, TestClient, str]:
    """An emulator on a frozen clock delivering to `receiver`, and a conversation to reply in."""
    clock = FrozenClock(1_800_000_000.0)
    client = make_client(clock=clock)
    use_receiver(client, receiver, undo_send_time=undo_send_time)
    return clock, client, conversation_of(start_conversation(client))


def test_undo_window_then_cancel_sends_nothing(make_client, receiver):
    clock, client, conversation_id = frozen_conversation(make_client, receiver, undo_send_time=10)
    message = reply(client, conversation_id)
    assert client.get(f"/_emulator/messages/{message['id']}").json()["delivery_status"] == "pending"
    cancelled = client.post(f"/_emulator/messages/{message['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["delivery_status"] == "cancelled"
    # A witness due at the same moment: once it is sent and no attempt runs, the engine has passed the
    # cancelled message too, and whatever it sent has arrived.
    witness = reply(client, conversation_id, "<p>witness</p>")
    clock.advance(11)
    client.app.state.engine.wake()
    assert delivered_with_witness(client, receiver, witness["id"]) == [witness["id"]]
    deliveries = client.get("/_emulator/deliveries").json()["_results"]
    assert [delivery["message_id"] for delivery in deliveries] == [witness["id"]]
    again = client.post(f"/_emulator/messages/{message['id']}/cancel")
    assert again.status_code == 409


def test_undo_window_then_send(make_client, receiver):
    clock, client, conversation_id = frozen_conversation(make_client, receiver, undo_send_time=5)
    message = reply(client, conversation_id)
    # A witness without an undo window is sent at once; after it, the first message is still held.
    use_receiver(client, receiver, undo_send_time=0)
    witness = reply(client, conversation_id, "<p>witness</p>")
    assert delivered_with_witness(client, receiver, witness["id"]) == [witness["id"]]
    assert client.get(f"/_emulator/messages/{message['id']}").json()["delivery_status"] == "pending"
    clock.advance(5)
    client.app.state.engine.wake()
    assert final_state(client, message["id"])["delivery_status"] == "sent"
    assert [request.document["id"] for request in receiver.wait_for(2)] == [witness["id"], message["id"]]


def test_refusals(client, receiver):
    conversation_id = conversation_of(start_conversation(client))
    # No Outgoing URL on the SMS channel.
    sms_conversation = read_message(
        client, post_message(client, {"sender": {"handle": "+15550101234"}, "body": "hi"}, SMS_CHANNEL)
    )
    sms_conversation_id = sms_conversation["_links"]["related"]["conversation"].rsplit("/", 1)[1]
    answer = client.post(
        f"/conversations/{sms_conversation_id}/messages", json={"body": "x", "author_id": ADA}
    )
    assert answer.status_code == 400 and "Outgoing URL" in answer.json()["_error"]["message"]
    use_receiver(client, receiver)
    # Unknown teammate.
    answer = client.post(
        f"/conversations/{conversation_id}/messages", json={"body": "x", "author_id": "tea_zzz"}
    )
    assert answer.status_code == 400 and answer.json()["_error"]["details"] == [
        "/author_id: no teammate tea_zzz in this workspace"
    ]
    # Through another channel.
    answer = client.post(
        f"/conversations/{conversation_id}/messages", json={"body": "x", "channel_id": SMS_CHANNEL}
    )
    assert answer.status_code == 400 and CHANNEL in answer.json()["_error"]["message"]
    # Cannot reply.
    use_receiver(client, receiver, reply_mode="cannot_reply")
    answer = client.post(f"/conversations/{conversation_id}/messages", json={"body": "x", "author_id": ADA})
    assert answer.status_code == 403 and "Cannot reply" in answer.json()["_error"]["message"]
    # New messages are off by default on the chat channel.
    answer = client.post(f"/channels/{CHANNEL}/messages", json={"to": ["visitor-9"], "body": "x"})
    assert answer.status_code == 403 and "allow_new_messages" in answer.json()["_error"]["message"]
    # Nothing was stored by refused requests.
    assert client.get("/_emulator/deliveries").json()["_results"] == []


def test_compose_new_message(client, receiver):
    use_receiver(client, receiver, allow_new_messages=True)
    answer = client.post(
        f"/channels/{CHANNEL}/messages", json={"to": ["visitor-9"], "body": "<p>News</p>", "author_id": GRACE}
    )
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert final_state(client, message["id"])["delivery_status"] == "sent"
    [request] = receiver.wait_for(1)
    assert request.document["recipients"][1] == {
        **request.document["recipients"][1],
        "handle": "visitor-9",
        "role": "to",
    }
    assert "message_replied_to" not in request.document["_links"]["related"]


def test_auto_assign_on_first_reply(client, receiver):
    use_receiver(client, receiver, auto_assign=True)
    conversation_id = conversation_of(start_conversation(client))
    reply(client, conversation_id, options={"archive": False})
    conversation = client.get(f"/conversations/{conversation_id}").json()
    assert conversation["assignee"]["id"] == ADA and conversation["status"] == "assigned"
    answer = client.post(
        f"/conversations/{conversation_id}/messages",
        json={"body": "more", "author_id": GRACE, "options": {"archive": False}},
    )
    assert answer.status_code == 202
    assert client.get(f"/conversations/{conversation_id}").json()["assignee"]["id"] == ADA


def test_redeliver(client, receiver):
    answers = iter([Answer(status=500, body=b""), Answer()])
    receiver.answer = lambda document: next(answers)
    use_receiver(client, receiver)
    conversation_id = conversation_of(start_conversation(client))
    message = reply(client, conversation_id)
    assert final_state(client, message["id"])["delivery_status"] == "failed"
    [first] = client.get("/_emulator/deliveries").json()["_results"]
    again = client.post(f"/_emulator/deliveries/{first['id']}/redeliver")
    assert again.status_code == 200, again.text
    assert again.json()["outcome"] == "sent" and again.json()["redelivery_of"] == first["id"]
    assert final_state(client, message["id"])["delivery_status"] == "sent"
    assert len(client.get("/_emulator/deliveries", params={"outcome": "sent"}).json()["_results"]) == 1


def test_retries(client, receiver):
    answers = iter([Answer(status=503, body=b""), Answer()])
    receiver.answer = lambda document: next(answers)
    use_receiver(client, receiver, retries=1)
    conversation_id = conversation_of(start_conversation(client))
    message = reply(client, conversation_id)
    assert final_state(client, message["id"])["delivery_status"] == "sent"
    attempts = client.get("/_emulator/deliveries", params={"message_id": message["id"]}).json()["_results"]
    assert [(d["attempt"], d["outcome"]) for d in attempts] == [(1, "failed"), (2, "sent")]


def test_delivery_journal_filters_and_bad_filter(client, receiver):
    use_receiver(client, receiver)
    conversation_id = conversation_of(start_conversation(client))
    message = reply(client, conversation_id)
    final_state(client, message["id"])
    [delivery] = client.get("/_emulator/deliveries", params={"conversation_id": conversation_id}).json()[
        "_results"
    ]
    assert delivery["request"]["headers"]["x-front-signature"]
    assert delivery["request"]["signature_input"]["scheme"] == "sha1-body"
    assert delivery["answer"]["status"] == 200
    assert client.get("/_emulator/deliveries", params={"channel_id": SMS_CHANNEL}).json()["_results"] == []
    bad = client.get("/_emulator/deliveries", params={"colour": "red"})
    assert bad.status_code == 400


def test_create_channel_and_patch_errors(client):
    created = client.post(
        "/_emulator/channels", json={"address": "whatsapp@example.test", "name": "WhatsApp"}
    )
    assert created.status_code == 201, created.text
    channel_id = created.json()["id"]
    assert client.get(f"/channels/{channel_id}").status_code == 200
    assert client.post("/_emulator/channels", json={"address": "whatsapp@example.test"}).status_code == 409
    bad = client.patch(f"/channels/{channel_id}", json={"settings": {"undo_send_time": 7}})
    assert bad.status_code == 400 and bad.json()["_error"]["details"][0].startswith(
        "/settings/undo_send_time"
    )
    assert client.post("/_emulator/reset").status_code == 204
    assert client.get(f"/channels/{channel_id}").status_code == 404


def test_shutdown_cancels_hanging_deliveries_and_fails_their_messages(receiver):
    """Stopping the server with a delivery in flight ends cleanly and leaves no message 'sending'."""
    import httpx

    from tests.conftest import AUTH, LiveServer, make_config

    receiver.answer = lambda document: Answer(delay=4)
    server = LiveServer.emulator(make_config())
    app = server.app
    base = server.start()
    with httpx.Client(base_url=base, headers=AUTH, timeout=10) as client:
        use_receiver(client, receiver, outgoing_timeout=120)
        conversation_id = conversation_of(start_conversation(client))
        message = reply(client, conversation_id)
        receiver.wait_for(1)
    server.stop()
    assert not server.thread.is_alive()
    message_after = app.state.store.message(message["id"])
    assert message_after.delivery_status == "failed"
    assert message_after.error_reason == "The emulator shut down before the integration answered."


def test_reply_with_attachments_as_multipart(client, receiver):
    use_receiver(client, receiver)
    conversation_id = conversation_of(start_conversation(client))
    answer = client.post(
        f"/conversations/{conversation_id}/messages",
        data={"body": "<p>Here is the invoice</p>", "author_id": ADA, "options[archive]": "false"},
        files={"attachments[]": ("invoice.pdf", b"%PDF-1.4 fake", "application/pdf")},
    )
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert final_state(client, message["id"])["delivery_status"] == "sent"
    [request] = receiver.wait_for(1)
    [attachment] = request.document["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "invoice.pdf",
        "application/pdf",
        13,
    )
    # The integration downloads the file with its API token, as from Front.
    path = attachment["url"].removeprefix("http://emulator.test")
    download = client.get(path)
    assert download.status_code == 200 and download.content == b"%PDF-1.4 fake"
    assert client.get(f"/conversations/{conversation_id}").json()["status"] != "archived"


def test_new_message_form_with_recipient_list_on_a_phone_channel(client, receiver):
    use_receiver(client, receiver, channel=SMS_CHANNEL, allow_new_messages=True, undo_send_time=0)
    answer = client.post(
        f"/channels/{SMS_CHANNEL}/messages",
        data={"to[]": ["(555) 010-1234"], "body": "Your order shipped"},
    )
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert final_state(client, message["id"])["delivery_status"] == "sent"
    [request] = receiver.wait_for(1)
    assert request.document["recipients"][1]["handle"] == "+15550101234"


def test_reply_form_with_bad_fields_is_a_400(client, receiver):
    use_receiver(client, receiver)
    conversation_id = conversation_of(start_conversation(client))
    answer = client.post(
        f"/conversations/{conversation_id}/messages",
        data={"author_id": ADA, "options[archive]": "maybe"},
        files={"attachments": ("a.txt", b"x", "text/plain")},
    )
    assert answer.status_code == 400
    assert answer.json()["_error"]["details"] == [
        "/body: required",
        "/options/archive: must be true or false",
    ]
