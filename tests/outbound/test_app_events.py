"""Events to the app of an application channel, through HTTP with a real app on loopback: authorization
when an admin adds a channel, delete when it is removed, message_imported after each synced message;
all signed with the App secret as Front signs them, and journalled in GET /_emulator/app_events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from emulator.outbound.javascript_json import stringify_bytes
from tests.app_receiver import AppReceiver, AppRequest, running_app
from tests.channel_jwts import bearer, channel_jwt

SECRET = "an-app-secret-of-at-least-32-bytes!"


@pytest.fixture
def app() -> Iterator[AppReceiver]:
    with running_app(SECRET) as receiver:
        yield receiver


def add_app(client: TestClient, app: AppReceiver, **extra: Any) -> dict[str, Any]:
    document = {"name": "Acme", "webhook_url": app.url, "uid": "acme", "secret": SECRET, **extra}
    answer = client.post("/_emulator/applications", json=document)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def authorize(client: TestClient, name: str = "Acme chat") -> Any:
    return client.post("/_emulator/applications/acme/channels", json={"name": name})


def test_adding_a_channel_sends_authorization_and_takes_the_apps_webhook_url(
    client: TestClient, app: AppReceiver
) -> None:
    add_app(client, app)
    answer = authorize(client)
    assert answer.status_code == 201, answer.text
    channel = answer.json()
    assert channel["application"] == "acme"
    assert channel["settings"]["webhook_url"] == f"{app.url}/channels/{channel['id']}"
    (request,) = app.received
    assert request.method == "POST" and request.path == "/app"
    assert request.document == {"type": "authorization", "payload": {"channel_id": channel["id"]}}
    # Signed as Front signs: HMAC-SHA256 with the App secret over "<ms timestamp>:" + the JSON.stringify body.
    assert request.signature_problem is None
    assert len(request.headers["x-front-request-timestamp"]) == 13
    assert request.body == stringify_bytes(request.document)
    events = client.get("/_emulator/app_events").json()["_results"]
    assert [(event["type"], event["outcome"], event["channel_id"]) for event in events] == [
        ("authorization", "accepted", channel["id"])
    ]
    assert client.get(f"/channels/{channel['id']}").status_code == 200


@pytest.mark.parametrize(
    ("status", "answer", "quoted"),
    [
        (200, {"type": "bad_request", "message": "no such account"}, "no such account"),
        (200, {"type": "success"}, "no webhook_url"),
        (500, b"boom", "boom"),
        (200, {"type": "success", "webhook_url": "not a url"}, "webhook_url is not a URL"),
    ],
)
def test_an_app_that_does_not_authorize_leaves_no_channel(
    client: TestClient, app: AppReceiver, status: int, answer: Any, quoted: str
) -> None:
    add_app(client, app)
    app.answer = lambda request: (status, answer)
    channels_before = client.get("/_emulator/workspace").json()["channels"]
    refused = authorize(client)
    assert refused.status_code == 502, refused.text
    error = refused.json()["_error"]
    assert error["message"].startswith("The app did not authorize the channel")
    assert quoted in error["message"] + " ".join(error.get("details", []))
    assert client.get("/_emulator/workspace").json()["channels"] == channels_before
    assert client.get("/_emulator/app_events").json()["_results"][0]["outcome"] == "refused"


def test_an_unreachable_app_is_a_502_and_no_channel(client: TestClient) -> None:
    client.post(
        "/_emulator/applications",
        json={"name": "Gone", "webhook_url": "http://127.0.0.1:9/app", "uid": "acme", "secret": SECRET},
    )
    refused = authorize(client)
    assert refused.status_code == 502
    assert "Could not reach http://127.0.0.1:9/app" in refused.json()["_error"]["message"]
    assert client.get("/_emulator/app_events").json()["_results"][0]["outcome"] == "failed"


def test_unknown_application_is_a_404(client: TestClient) -> None:
    answer = client.post("/_emulator/applications/nope/channels", json={"name": "x"})
    assert answer.status_code == 404
    assert answer.json()["_error"]["message"] == "Application nope not found"


def _delete_requests(app: AppReceiver) -> list[AppRequest]:
    return [request for request in app.received if request.method == "DELETE"]


@pytest.mark.parametrize("delete_signature", ["body", "undefined"])
def test_deleting_an_application_channel_sends_delete_and_removes_it(
    client: TestClient, app: AppReceiver, delete_signature: str
) -> None:
    add_app(client, app, delete_signature=delete_signature)
    app.delete_signed_over_undefined = delete_signature == "undefined"
    channel = authorize(client).json()
    assert client.delete(f"/_emulator/channels/{channel['id']}").status_code == 204
    (request,) = _delete_requests(app)
    assert request.path == f"/app/channels/{channel['id']}"
    assert request.document == {"type": "delete", "payload": {"channel_id": channel["id"]}}
    assert request.signature_problem is None
    assert client.get(f"/channels/{channel['id']}").status_code == 404
    event = client.get("/_emulator/app_events", params={"type": "delete"}).json()["_results"][0]
    assert event["request"]["method"] == "DELETE"
    assert ("undefined" in event["request"]["signature_input"]["signed"]) is (delete_signature == "undefined")


def test_a_custom_channel_cannot_be_deleted_here(client: TestClient) -> None:
    answer = client.delete("/_emulator/channels/cha_1a01")
    assert answer.status_code == 400
    assert client.get("/channels/cha_1a01").status_code == 200


def _imported(app: AppReceiver, count: int) -> list[AppRequest]:
    app.wait_for(count)
    return [
        request
        for request in app.received
        if isinstance(request.document, dict) and request.document["type"] == "message_imported"
    ]


def test_a_synced_message_is_followed_by_message_imported(client: TestClient, app: AppReceiver) -> None:
    add_app(client, app)
    channel = authorize(client).json()
    uid = _sync(client, channel["id"], "m1")
    (event,) = _imported(app, 2)
    assert event.path == f"/app/channels/{channel['id']}"
    assert event.signature_problem is None
    message = client.get(f"/messages/alt:uid:{uid}").json()
    assert orjson.loads(event.body) == {
        "type": "message_imported",
        "payload": message,
        "metadata": {"external_conversation_id": "c1", "external_conversation_ids": ["c1"]},
    }


def _sync(client: TestClient, channel_id: str, external_id: str) -> str:
    token = channel_jwt(channel_id, secret=SECRET, iss="acme")
    document = {
        "sender": {"handle": "bo"},
        "body": "hi",
        "metadata": {"external_id": external_id, "external_conversation_id": "c1"},
    }
    answer = client.post(f"/channels/{channel_id}/inbound_messages", json=document, headers=bearer(token))
    assert answer.status_code == 202, answer.text
    return str(answer.json()["message_uid"])


def _seed_with_setting(client: TestClient, app: AppReceiver, channel_id: str, **settings: Any) -> None:
    """The workspace as it is, with `settings` on one channel: a seed starts afresh on it (the channels
    stay) with an empty event journal."""
    workspace = client.get("/_emulator/workspace").json()
    for item in workspace["channels"]:
        if item["id"] == channel_id:
            item["settings"].update(settings)
    assert client.post("/_emulator/seed", json={"workspace": workspace}).status_code == 200
    app.received.clear()


def test_message_imported_can_be_switched_off_per_channel(client: TestClient, app: AppReceiver) -> None:
    add_app(client, app)
    quiet, chatty = authorize(client, "quiet").json(), authorize(client, "chatty").json()
    _seed_with_setting(client, app, quiet["id"], message_imported_events=False)
    _sync(client, quiet["id"], "m1")
    _sync(client, chatty["id"], "m2")
    # Events leave in the order their messages were created: once the chatty channel's has arrived, the
    # quiet channel's would have too.
    (event,) = _imported(app, 1)
    assert event.document["metadata"]["external_conversation_id"] == "c1"
    assert event.path == f"/app/channels/{chatty['id']}"
    assert client.get("/_emulator/readyz").json()["messages"] == 2


def test_an_auto_reply_setting_sends_message_autoreply_without_an_id(
    client: TestClient, app: AppReceiver
) -> None:
    add_app(client, app)
    channel = authorize(client).json()
    _seed_with_setting(client, app, channel["id"], message_autoreply=True)
    _sync(client, channel["id"], "m1")
    app.wait_for(2)
    (event,) = [r for r in app.received if r.document["type"] == "message_autoreply"]
    assert event.signature_problem is None
    payload = event.document["payload"]
    assert payload["type"] == "auto_reply"
    assert "id" not in payload
    assert payload["is_inbound"] is False
    assert [recipient["role"] for recipient in payload["recipients"]] == ["from", "to"]
    assert event.document["metadata"] == {"external_conversation_ids": ["c1"]}
