"""Teammates' messages on an application channel reach its app through the delivery engine as `message`
events signed with the App secret; the app's success names its external ids, which the message keeps;
the app can later report it failed (PUT …/status). Through HTTP, with a real app on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.app_receiver import AppReceiver, AppRequest, running_app
from tests.channel_jwts import bearer, channel_jwt

SECRET = "an-app-secret-of-at-least-32-bytes!"


@pytest.fixture
def app() -> Iterator[AppReceiver]:
    with running_app(SECRET) as receiver:
        yield receiver


@pytest.fixture
def channel(client: TestClient, app: AppReceiver) -> str:
    document = {"name": "Acme", "webhook_url": app.url, "uid": "acme", "secret": SECRET}
    assert client.post("/_emulator/applications", json=document).status_code == 201
    created = client.post("/_emulator/applications/acme/channels", json={"name": "Acme chat"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _token(channel: str) -> dict[str, str]:
    return bearer(channel_jwt(channel, secret=SECRET, iss="acme"))


def _conversation_of_sync(client: TestClient, channel: str) -> str:
    document = {
        "sender": {"handle": "bo"},
        "body": "hello",
        "metadata": {"external_id": "in-1", "external_conversation_id": "thread-1"},
    }
    answer = client.post(f"/channels/{channel}/inbound_messages", json=document, headers=_token(channel))
    assert answer.status_code == 202, answer.text
    message = client.get(f"/messages/alt:uid:{answer.json()['message_uid']}").json()
    return str(message["_links"]["related"]["conversation"].rsplit("/", 1)[1])


def _events(app: AppReceiver, kind: str) -> list[AppRequest]:
    return [r for r in app.received if isinstance(r.document, dict) and r.document.get("type") == kind]


def _answer_message(external_id: str | None, conversation: str | None) -> Any:
    def answer(request: AppRequest) -> tuple[int, Any]:
        if request.document.get("type") != "message":
            return 200, {}
        ids = {"external_id": external_id, "external_conversation_id": conversation}
        return 200, {"type": "success", **{key: value for key, value in ids.items() if value}}

    return answer


def _reply(client: TestClient, conversation: str) -> str:
    answer = client.post(
        f"/conversations/{conversation}/messages", json={"body": "On it", "author_id": "tea_1b01"}
    )
    assert answer.status_code == 202, answer.text
    uid = answer.json()["message_uid"]
    done = client.post("/_emulator/wait", json={"deliveries": 1, "timeout": 10}).json()
    assert done["satisfied"], done
    return str(client.get(f"/messages/alt:uid:{uid}").json()["id"])


def test_a_reply_reaches_the_app_signed_and_keeps_its_external_ids(
    client: TestClient, app: AppReceiver, channel: str
) -> None:
    app.answer = _answer_message("out-1", "thread-1")
    conversation = _conversation_of_sync(client, channel)
    message_id = _reply(client, conversation)
    (event,) = _events(app, "message")
    assert event.path == f"/app/channels/{channel}"
    assert event.signature_problem is None
    assert event.document["metadata"] == {"external_conversation_ids": ["thread-1"]}
    assert event.document["payload"]["id"] == message_id
    assert event.document["payload"]["is_inbound"] is False
    (delivery,) = client.get("/_emulator/deliveries").json()["_results"]
    assert delivery["outcome"] == "sent", delivery
    message = client.get(f"/messages/{message_id}").json()
    assert message["metadata"]["external_id"] == "out-1"
    assert message["metadata"]["external_conversation_id"] == "thread-1"

    # The app reports the message failed after all: failed with its reason, the conversation reopens.
    client.patch(f"/conversations/{conversation}", json={"status": "archived"})
    status_url = f"/channels/{channel}/conversations/thread-1/messages/out-1/status"
    reported = client.put(
        status_url, json={"status": "failed", "reason": "carrier refused"}, headers=_token(channel)
    )
    assert reported.status_code == 204, reported.text
    state = client.get(f"/_emulator/messages/{message_id}").json()
    assert (state["delivery_status"], state["error_reason"]) == ("failed", "carrier refused")
    assert client.get(f"/conversations/{conversation}").json()["status"] == "unassigned"


def test_a_success_without_external_ids_fails_saying_what_is_missing(
    client: TestClient, app: AppReceiver, channel: str
) -> None:
    app.answer = _answer_message(None, "thread-1")
    message_id = _reply(client, _conversation_of_sync(client, channel))
    state = client.get(f"/_emulator/messages/{message_id}").json()
    assert state["delivery_status"] == "failed"
    assert state["error_reason"].startswith("The app answered success without external_id:")


def test_status_of_unknown_ids_is_a_404(client: TestClient, app: AppReceiver, channel: str) -> None:
    _conversation_of_sync(client, channel)
    # An inbound message's ids are not an outbound message's.
    for conversation, message in (("thread-1", "in-1"), ("thread-1", "nope"), ("other", "in-1")):
        answer = client.put(
            f"/channels/{channel}/conversations/{conversation}/messages/{message}/status",
            json={"status": "failed"},
            headers=_token(channel),
        )
        assert answer.status_code == 404, answer.text
    bad = client.put(
        f"/channels/{channel}/conversations/thread-1/messages/in-1/status",
        json={"status": "sent"},
        headers=_token(channel),
    )
    assert bad.status_code == 400
    assert bad.json()["_error"]["details"] == ["/status: must be one of: failed"]
