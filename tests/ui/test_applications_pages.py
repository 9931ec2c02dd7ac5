"""The inspector's application pages over plain HTTP, with a real app on loopback: each app with its
channels, their status and webhook URL and how it answered their authorization; every event sent to it
with the request, the exact signature input and the app's answer; external ids on synced messages."""

from __future__ import annotations

import html
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.app_receiver import AppReceiver, AppRequest, success_with_webhook
from tests.channel_jwts import bearer, channel_jwt
from tests.helpers import conversation_of, final_state
from tests.ui.inspector import ADA, APP_SECRET, UI, assert_links_resolve, page, text_of


@pytest.fixture
def acme(client: TestClient, app: AppReceiver) -> AppReceiver:
    """The app `acme` added to a fresh emulator, authorizing channels and taking teammates' messages."""
    app.received.clear()
    app.answer = _answers(app)
    document = {"name": "Acme", "webhook_url": app.url, "uid": "acme", "secret": APP_SECRET}
    assert client.post("/_emulator/applications", json=document).status_code == 201
    return app


def _answers(app: AppReceiver) -> Any:
    authorize = success_with_webhook(app.url)

    def answer(request: AppRequest) -> tuple[int, Any]:
        if request.document.get("type") == "message":
            return 200, {"type": "success", "external_id": "out-1", "external_conversation_id": "thread-1"}
        return authorize(request)

    return answer


def _authorize(client: TestClient, name: str = "Acme chat") -> Any:
    return client.post("/_emulator/applications/acme/channels", json={"name": name})


def _synced_conversation(client: TestClient) -> tuple[str, str]:
    """A new channel of acme, and the conversation its app's first inbound sync starts there."""
    channel = str(_authorize(client).json()["id"])
    document = {
        "sender": {"handle": "bo@example.test", "name": "Bo"},
        "body": "hello",
        "metadata": {
            "external_id": "in-1",
            "external_conversation_id": "thread-1",
            "referenced_message_external_id": "in-0",
        },
    }
    token = bearer(channel_jwt(channel, secret=APP_SECRET, iss="acme"))
    answer = client.post(f"/channels/{channel}/inbound_messages", json=document, headers=token)
    assert answer.status_code == 202, answer.text
    return channel, conversation_of(client.get(f"/messages/alt:uid:{answer.json()['message_uid']}").json())


def test_workspace_and_application_page_show_channels_status_and_authorization_answers(
    client: TestClient, acme: AppReceiver
) -> None:
    channel = _authorize(client).json()
    acme.answer = lambda request: (200, {"type": "failure", "message": "Unknown Front account"})
    refused = _authorize(client, "Refused chat")
    assert refused.status_code == 502, refused.text
    token = bearer(channel_jwt(channel["id"], secret=APP_SECRET, iss="acme"))
    offline = client.patch(f"/channels/{channel['id']}", json={"status": "offline"}, headers=token)
    assert offline.status_code == 204, offline.text

    workspace = page(client, UI)
    assert f'href="{UI}/applications/acme"' in workspace
    assert "App UID acme" in text_of(workspace)
    markup = page(client, f"{UI}/applications/acme")
    text = text_of(markup)
    for expected in ("Acme", "App UID acme", acme.url, APP_SECRET, "Acme chat", channel["id"], "offline"):
        assert expected in text, expected
    # The channel's own webhook URL is the app's answer to authorization.
    assert channel["settings"]["webhook_url"] in text
    # Both answers, newest first: the failure quoted as the app sent it, then the success.
    answers = text[text.index("Authorization answers") :]
    assert answers.index("failure") < answers.index("success")
    assert '{"type":"failure","message":"Unknown Front account"}' in answers
    assert 'its answer is not {"type": "success", "webhook_url": …}' in answers
    assert_links_resolve(client, markup)


def test_every_event_sent_to_the_app_is_listed_with_its_exact_signature_input(
    client: TestClient, acme: AppReceiver
) -> None:
    _, conversation = _synced_conversation(client)
    reply = client.post(
        f"/conversations/{conversation}/messages", json={"body": "<p>Hi Bo</p>", "author_id": ADA}
    )
    assert reply.status_code == 202, reply.text
    outbound = client.get(f"/messages/alt:uid:{reply.json()['message_uid']}").json()
    assert final_state(client, outbound["id"])["delivery_status"] == "sent"
    acme.wait_for(3)

    markup = page(client, f"{UI}/app_events")
    text = text_of(markup)
    for kind in ("authorization", "message_imported", "message"):
        assert f" {kind} " in f" {text} ", kind
    links = assert_links_resolve(client, markup)
    [delivery_link] = [link for link in links if link.startswith(f"{UI}/deliveries/dlv_")]
    event_links = sorted(link for link in links if link.startswith(f"{UI}/app_events/"))
    assert len(event_links) == 2
    # The only application's filter lists the same events; the type filter narrows them.
    assert "3 events" in text_of(page(client, f"{UI}/app_events?application_uid=acme"))
    assert "1 event." in text_of(page(client, f"{UI}/app_events?type=message_imported"))

    by_type = {request.document["type"]: request for request in acme.received}
    for link in event_links:
        event_page = html.unescape(page(client, link))
        kind = "authorization" if "authorization</code> event" in event_page else "message_imported"
        sent = by_type[kind]
        timestamp = sent.headers["x-front-request-timestamp"]
        assert sent.headers["x-front-signature"] in event_page
        assert timestamp in event_page
        signed = f"{timestamp}:{sent.body.decode()}"
        assert f'id="signature-input" aria-labelledby="signature-input-heading">{signed}</pre>' in event_page
        assert 'base64(HMAC-SHA256(app_secret, timestamp + ":" + body))' in event_page
        assert "accepted" in text_of(event_page)
    # A teammate's `message` event is a delivery: its page shows the same signature input.
    delivery_page = html.unescape(page(client, delivery_link))
    sent = by_type["message"]
    assert f"{sent.headers['x-front-request-timestamp']}:{sent.body.decode()}</pre>" in delivery_page
    assert "app_secret" in delivery_page and '"external_id":"out-1"' in delivery_page


def test_synced_messages_show_their_external_ids_and_the_channel_its_status(
    client: TestClient, acme: AppReceiver
) -> None:
    channel, conversation = _synced_conversation(client)
    text = text_of(page(client, f"{UI}/conversations/{conversation}"))
    shown = "external_id in-1 · external_conversation_id thread-1 · referenced_message_external_id in-0"
    assert shown in text
    channel_text = text_of(page(client, f"{UI}/channels/{channel}"))
    assert "Status ok" in channel_text and f"{acme.url}/channels/{channel}" in channel_text
    # A custom channel's messages have no external ids, and the page says none.
    assert "external_id" not in text_of(page(client, f"{UI}/channels/cha_1a01"))


def test_a_delete_event_shows_what_it_was_signed_over(client: TestClient, acme: AppReceiver) -> None:
    document = {"name": "Beta", "webhook_url": acme.url, "uid": "beta", "secret": APP_SECRET}
    assert (
        client.post("/_emulator/applications", json={**document, "delete_signature": "undefined"}).status_code
        == 201
    )
    channel = client.post("/_emulator/applications/beta/channels", json={"name": "Beta chat"}).json()["id"]
    assert client.delete(f"/_emulator/channels/{channel}").status_code == 204
    [delete] = [request for request in acme.wait_for(2) if request.method == "DELETE"]
    links = assert_links_resolve(client, page(client, f"{UI}/app_events?type=delete"))
    [event_link] = [link for link in links if link.startswith(f"{UI}/app_events/evt_")]
    event_page = html.unescape(page(client, event_link))
    assert f">{delete.headers['x-front-request-timestamp']}:undefined</pre>" in event_page
    assert f"DELETE {acme.url}/channels/{channel}" in text_of(event_page)
    # The channel is gone from the workspace; the event still names it.
    assert f"{channel} (not in the workspace)" in text_of(event_page)


def test_unknown_applications_and_events_answer_the_inspectors_404_page(client: TestClient) -> None:
    for path in (f"{UI}/applications/nope", f"{UI}/app_events/evt_nope"):
        text = text_of(page(client, path, status=404))
        assert "404 · Not found" in text and "nope" in text
    assert "Unknown" not in text_of(page(client, f"{UI}/app_events?application_uid=app1a05"))
    assert "404" in text_of(page(client, f"{UI}/app_events?application_uid=nope", status=404))
