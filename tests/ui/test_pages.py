"""The inspector over plain HTTP (no browser, no JavaScript): every page renders its content, forms work
with POST-redirect-GET, bad input answers a 4xx page, and the event stream reports changes."""

from __future__ import annotations

import html
import json
import re
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from emulator.harness import LiveServer
from emulator.outbound.answers import DEFAULT_REASONS
from emulator.signing import signature_headers
from tests.conftest import AUTH, CHANNEL, SMS_CHANNEL, make_config, post_message, read_message
from tests.helpers import (
    conversation_of,
    final_state,
    start_conversation,
    use_receiver,
    wait_for_deliveries,
)
from tests.receiver import Answer
from tests.ui.inspector import page, read_event, read_news, text_of

SECRET = "front-emulator-api-secret"
ADA = "tea_1b01"
GRACE = "tea_1b02"
UI = "/_emulator/ui"
REPO = Path(__file__).resolve().parents[2]


def submit(client, path: str, data: dict, files=None) -> httpx.Response:
    return client.post(path, data=data, files=files, follow_redirects=False)


# -- pages render without JavaScript --------------------------------------------------------------


def test_root_redirects_to_the_inspector(client):
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code in (302, 303, 307)
    assert answer.headers["location"] == UI
    assert "Workspace" in client.get("/").text


def test_workspace_page_shows_channels_settings_teammates_and_counts(client, receiver):
    receiver.answer = lambda document: Answer(body=b'{"type": "forbidden"}')
    use_receiver(client, receiver, undo_send_time=0, signing_scheme="sha256-timestamp")
    inbound = start_conversation(client)
    client.post(
        f"/conversations/{conversation_of(inbound)}/messages", json={"body": "<p>No</p>", "author_id": ADA}
    )
    assert len(receiver.wait_for(1)) == 1
    wait_for_deliveries(client, 1)
    text = text_of(page(client, UI))
    for expected in (
        "Website chat",
        "cha_1a01",
        receiver.url,
        "Reply mode This channel",
        "Undo time 0 s",
        "Signing scheme sha256-timestamp",
        "SMS",
        "Undo time 5 s",
        "Support email",
        "Ada Lovelace",
        "grace@example.test",
        "Conversations 1",
        "Messages 2",
        "Failed deliveries 1",
        SECRET,
    ):
        assert expected in text, expected


def test_channel_page_lists_conversations_newest_first_and_filters(client):
    first = start_conversation(client, "alice", "First question", subject="Billing")
    second = start_conversation(client, "bob", "Second question")
    client.patch(f"/conversations/{conversation_of(first)}", json={"status": "archived"})
    markup = page(client, f"{UI}/channels/{CHANNEL}")
    text = text_of(markup)
    assert "2 conversations, newest first" in text
    # Alice's conversation changed last (archived), so it comes first.
    assert text.index("alice") < text.index("bob")
    assert "Billing" in text and "archived" in text and "unassigned" in text
    assert "First question" in text and "Second question" in text
    assert f'href="{UI}/conversations/{conversation_of(second)}"' in markup

    open_only = text_of(page(client, f"{UI}/channels/{CHANNEL}?status=open"))
    assert "bob" in open_only and "alice" not in open_only and "1 of 2" in open_only
    searched = text_of(page(client, f"{UI}/channels/{CHANNEL}?q=BILLING"))
    assert "alice" in searched and "bob" not in searched
    # Other channels' conversations are not listed.
    assert "alice" not in text_of(page(client, f"{UI}/channels/{SMS_CHANNEL}"))


def test_conversation_page_shows_messages_metadata_and_attachments(client):
    answer = client.post(
        f"/channels/{CHANNEL}/incoming_messages",
        data={
            "sender[handle]": "visitor-7",
            "sender[name]": "Ada",
            "body": "See the photo",
            "metadata[thread_ref]": "chat-2026-11-25",
            "metadata[headers][session]": "s-1",
        },
        files={"attachments[]": ("photo.png", b"\x89PNG fake", "image/png")},
    )
    assert answer.status_code == 202, answer.text
    inbound = read_message(client, answer.json()["message_uid"])
    conversation_id = conversation_of(inbound)
    client.post(f"/conversations/{conversation_id}/messages", json={"body": "<p>Nice <b>photo</b></p>"})
    markup = page(client, f"{UI}/conversations/{conversation_id}")
    text = text_of(markup)
    assert text.index("See the photo") < text.index("Nice photo"), "oldest first"
    assert 'class="message inbound' in markup and 'class="message outbound' in markup
    assert "Inbound from Ada" in text and "Outbound by" in text
    assert "Thread thread_ref chat-2026-11-25" in text and '"session": "s-1"' in text
    assert f"in reply to {inbound['id']}" in text
    link = re.search(rf'href="({UI}/messages/{inbound["id"]}/attachments/fil_[^"]+)"', markup)
    assert link, "attachment link"
    download = client.get(link.group(1), headers={"Authorization": ""})
    assert download.status_code == 200 and download.content == b"\x89PNG fake"
    assert download.headers["content-type"] == "image/png"
    assert 'filename="photo.png"' in download.headers["content-disposition"]


def test_deliveries_and_delivery_page_show_request_signature_and_answer(client, receiver):
    use_receiver(client, receiver, undo_send_time=0)
    conversation_id = conversation_of(start_conversation(client))
    client.post(f"/conversations/{conversation_id}/messages", json={"body": "<p>Hello</p>", "author_id": ADA})
    [request] = receiver.wait_for(1)
    [delivery] = wait_for_deliveries(client, 1)
    listing = text_of(page(client, f"{UI}/deliveries"))
    assert delivery["id"] in listing and "sent" in listing and "200" in listing
    text = text_of(page(client, f"{UI}/deliveries/{delivery['id']}"))
    signature = request.headers["x-front-signature"]
    assert signature == signature_headers(request.body, SECRET, "sha1-body")["x-front-signature"]
    assert f"X-Front-Signature {signature}" in text
    assert "sha1-body" in text and "base64(HMAC-SHA1(api_secret, body))" in text
    assert request.body.decode() in html.unescape(page(client, f"{UI}/deliveries/{delivery['id']}"))
    assert '{"type": "success"}' in text and "Status 200" in text and "ms" in text

    redelivered = submit(client, f"{UI}/deliveries/{delivery['id']}/redeliver", {})
    assert redelivered.status_code == 303
    assert len(receiver.wait_for(2)) == 2
    new_page = client.get(redelivered.headers["location"])
    assert new_page.status_code == 200
    assert f"redelivery of {delivery['id']}" in text_of(new_page.text)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"type": "forbidden", "message": "Customer blocked this number"}, "Customer blocked this number"),
        ({"type": "request_timeout"}, DEFAULT_REASONS["request_timeout"]),
        ({"type": "too_many_requests"}, DEFAULT_REASONS["too_many_requests"]),
    ],
)
def test_failed_to_send_shows_the_reason(client, receiver, answer, reason):
    receiver.answer = lambda document: Answer(status=400, body=json.dumps(answer).encode())
    use_receiver(client, receiver, undo_send_time=0)
    conversation_id = conversation_of(start_conversation(client))
    sent = client.post(f"/conversations/{conversation_id}/messages", json={"body": "<p>Hi</p>"})
    message = read_message(client, sent.json()["message_uid"])
    assert final_state(client, message["id"])["delivery_status"] == "failed"
    text = text_of(page(client, f"{UI}/conversations/{conversation_id}"))
    assert f"Failed to send {answer['type']} {reason}" in text
    assert "Failed to send" in text_of(page(client, f"{UI}/channels/{CHANNEL}"))


def test_refused_inbound_requests_are_listed_with_details(client):
    answer = client.post(f"/channels/{CHANNEL}/incoming_messages", json={"sender": {}, "body": ""})
    assert answer.status_code == 400
    client.post(f"/channels/{CHANNEL}/incoming_messages", json={"sender": {"handle": "ok"}, "body": "fine"})
    text = text_of(page(client, f"{UI}/refused"))
    assert "1 refused request" in text
    assert "Invalid request body" in text and "/sender/handle" in text
    assert '"sender": {}' in text or '"sender":{}' in text
    assert "Refused requests 1" in text_of(page(client, UI))


# -- forms: POST-redirect-GET ----------------------------------------------------------------------


def test_reply_form_sends_through_the_api_code_and_redirects_back(client, receiver):
    use_receiver(client, receiver, undo_send_time=0)
    conversation_id = conversation_of(start_conversation(client))
    answer = submit(
        client,
        f"{UI}/conversations/{conversation_id}/reply",
        {"author_id": GRACE, "body": "Happy to help\n\n<b>Second</b> line"},
        files={"attachments": ("notes.txt", b"hello", "text/plain")},
    )
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"{UI}/conversations/{conversation_id}?notice=queued#msg_")
    [request] = receiver.wait_for(1)
    payload = request.document
    assert payload["author"]["id"] == GRACE
    assert payload["body"] == "<p>Happy to help</p><p>&lt;b&gt;Second&lt;/b&gt; line</p>"
    assert [a["filename"] for a in payload["attachments"]] == ["notes.txt"]
    # The archive box was left unticked, so the conversation stays open.
    assert client.get(f"/conversations/{conversation_id}").json()["status"] == "unassigned"
    text = text_of(page(client, location))
    assert "Message queued" in text and "Outbound by Grace Hopper" in text


def test_new_message_form_where_the_channel_allows_it(client, receiver):
    use_receiver(client, receiver, channel=SMS_CHANNEL, undo_send_time=0)
    assert "New message" in text_of(page(client, f"{UI}/channels/{SMS_CHANNEL}"))
    answer = submit(
        client,
        f"{UI}/channels/{SMS_CHANNEL}/messages",
        {
            "author_id": ADA,
            "to": "5550142, +1 555 0143",
            "subject": "",
            "body": "Your order shipped",
            "archive": "on",
        },
    )
    assert answer.status_code == 303, answer.text
    [request] = receiver.wait_for(1)
    assert [r["handle"] for r in request.document["recipients"] if r["role"] == "to"] == [
        "+15550142",
        "+15550143",
    ]
    text = text_of(page(client, answer.headers["location"]))
    assert "Your order shipped" in text and "started by a teammate's new message" in text
    # The chat channel does not allow new messages: no form, and posting anyway is refused as the API does.
    assert "does not allow new messages" in text_of(page(client, f"{UI}/channels/{CHANNEL}"))
    refused = submit(client, f"{UI}/channels/{CHANNEL}/messages", {"to": "x", "body": "Hi"})
    assert refused.status_code == 403 and "allow_new_messages" in text_of(refused.text)


def test_no_form_where_the_api_would_refuse_and_the_page_says_why(client):
    """The SMS channel allows new messages but has no Outgoing URL: Front's API refuses every message on
    it, so the inspector offers no form that could only be refused and shows the API's reason instead."""
    reason = (
        f"Channel {SMS_CHANNEL} has no Outgoing URL: "
        f"set settings.webhook_url with PATCH /channels/{SMS_CHANNEL}"
    )
    markup = page(client, f"{UI}/channels/{SMS_CHANNEL}")
    assert f'action="{UI}/channels/{SMS_CHANNEL}/messages"' not in markup
    assert reason in text_of(markup)
    api = client.post(f"/channels/{SMS_CHANNEL}/messages", json={"to": ["+15550142"], "body": "Hi"})
    assert (api.status_code, api.json()["_error"]["message"]) == (400, reason)
    inbound = post_message(client, {"sender": {"handle": "+15550142"}, "body": "Hi"}, SMS_CHANNEL)
    conversation_id = conversation_of(read_message(client, inbound))
    markup = page(client, f"{UI}/conversations/{conversation_id}")
    assert f'action="{UI}/conversations/{conversation_id}/reply"' not in markup
    assert reason in text_of(markup)
    # Once the Outgoing URL is set, both forms are offered.
    client.patch(f"/channels/{SMS_CHANNEL}", json={"settings": {"webhook_url": "http://127.0.0.1:9/out"}})
    assert f'action="{UI}/channels/{SMS_CHANNEL}/messages"' in page(client, f"{UI}/channels/{SMS_CHANNEL}")
    assert f'action="{UI}/conversations/{conversation_id}/reply"' in page(
        client, f"{UI}/conversations/{conversation_id}"
    )


def test_pending_reply_can_be_cancelled_from_the_page(make_client, receiver):
    client = make_client(clock=FrozenClock(1_800_000_000.0))
    use_receiver(client, receiver, undo_send_time=10)
    conversation_id = conversation_of(start_conversation(client))
    answer = submit(client, f"{UI}/conversations/{conversation_id}/reply", {"author_id": ADA, "body": "Oops"})
    assert answer.status_code == 303
    message_id = answer.headers["location"].rsplit("#", 1)[1]
    markup = page(client, f"{UI}/conversations/{conversation_id}")
    assert "Pending — sends in" in text_of(markup) and 'data-countdown="10.000"' in markup
    assert f'action="{UI}/messages/{message_id}/cancel"' in markup
    cancelled = submit(client, f"{UI}/messages/{message_id}/cancel", {})
    assert cancelled.status_code == 303
    assert (
        cancelled.headers["location"] == f"{UI}/conversations/{conversation_id}?notice=cancelled#{message_id}"
    )
    text = text_of(page(client, cancelled.headers["location"]))
    assert "Message cancelled" in text and "Cancelled" in text and "Cancel sending" not in text
    assert client.get("/_emulator/deliveries").json()["_results"] == []
    # Cancelling twice is a conflict, shown as a page.
    again = submit(client, f"{UI}/messages/{message_id}/cancel", {})
    assert again.status_code == 409 and "only a pending message can be cancelled" in text_of(again.text)
    assert receiver.received == []


# -- bad input answers a clear 4xx page, never a 500 -----------------------------------------------


def test_bad_form_input_answers_a_4xx_page(client):
    conversation_id = conversation_of(start_conversation(client))
    reply = f"{UI}/conversations/{conversation_id}/reply"
    unknown = submit(client, reply, {"author_id": "tea_nobody", "body": "Hi"})
    assert unknown.status_code == 400 and unknown.headers["content-type"].startswith("text/html")
    assert "/author_id: no teammate tea_nobody in this workspace" in text_of(unknown.text)
    empty = submit(client, reply, {"author_id": ADA, "body": "   \n "})
    assert empty.status_code == 400 and "/body" in text_of(empty.text)
    assert "Bad request" in text_of(empty.text)
    missing = submit(client, f"{UI}/conversations/cnv_nope/reply", {"author_id": ADA, "body": "Hi"})
    assert missing.status_code == 404 and "Conversation cnv_nope not found" in text_of(missing.text)
    no_recipient = submit(client, f"{UI}/channels/{SMS_CHANNEL}/messages", {"to": " , ", "body": "Hi"})
    assert no_recipient.status_code == 400 and "/to" in text_of(no_recipient.text)
    assert submit(client, f"{UI}/messages/msg_nope/cancel", {}).status_code == 404
    assert submit(client, f"{UI}/deliveries/dlv_nope/redeliver", {}).status_code == 404
    inbound_cancel = submit(client, f"{UI}/messages/{start_conversation(client)['id']}/cancel", {})
    assert inbound_cancel.status_code == 409
    for path in (
        f"{UI}/conversations/cnv_nope",
        f"{UI}/channels/cha_nope",
        f"{UI}/deliveries/dlv_x",
        f"{UI}/nothing",
    ):
        assert "Not found" in text_of(page(client, path, status=404))
    assert page(client, f"{UI}/channels/{CHANNEL}?status=bogus", status=400)
    # Channel set to 'Cannot reply': refused as Front's API refuses it.
    client.patch(f"/channels/{CHANNEL}", json={"settings": {"reply_mode": "cannot_reply"}})
    refused = submit(client, reply, {"author_id": ADA, "body": "Hi"})
    assert refused.status_code == 403 and "Cannot reply" in text_of(refused.text)


def test_forms_refuse_other_origins(client):
    conversation_id = conversation_of(start_conversation(client))
    # Refused from another origin, then accepted (redirected back) from the inspector's own.
    for origin, status in (("https://evil.example", 403), ("http://emulator.test", 303)):
        answer = client.post(
            f"{UI}/conversations/{conversation_id}/reply",
            data={"author_id": ADA, "body": "Hi"},
            headers={"Origin": origin},
            follow_redirects=False,
        )
        assert answer.status_code == status, (origin, answer.text)


# -- live events -----------------------------------------------------------------------------------


def test_event_stream_reports_a_new_inbound_message_at_once(live_client, live_url, lasting_streams):
    with (
        httpx.Client(base_url=live_url, timeout=30) as browser,
        browser.stream("GET", f"{UI}/events") as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert read_event(lines)[0] == "ready"
        post_message(live_client, {"sender": {"handle": "streamer"}, "body": "Are you there?"})
        name, data = read_news(lines)
    assert name == "change"
    [change] = data["changes"]
    assert change["kind"] == "message_created" and change["channel_id"] == CHANNEL


def test_event_stream_says_what_was_missed_since_the_page(live_client, live_url):
    sequence = int(re.search(r'data-live-sequence="(\d+)"', live_client.get(UI).text).group(1))
    post_message(live_client, {"sender": {"handle": "early"}, "body": "Before the stream"})
    with (
        httpx.Client(base_url=live_url, timeout=5) as browser,
        browser.stream("GET", f"{UI}/events", params={"since": sequence}) as stream,
    ):
        name, data = read_event(stream.iter_lines())
    assert name == "change" and data["overflow"] is True


def test_event_stream_creates_delayed_inbound_messages_on_time(lasting_streams):
    """With a creation delay, nothing reads the store when the message falls due: the stream settles it."""
    server = LiveServer.emulator(make_config(creation_delay=CreationDelay(0.3, 0.3)))
    url = server.start()
    try:
        with httpx.Client(base_url=url, timeout=30) as client, client.stream("GET", f"{UI}/events") as stream:
            lines = stream.iter_lines()
            assert read_event(lines)[0] == "ready"
            started = time.monotonic()
            answer = client.post(
                f"/channels/{CHANNEL}/incoming_messages",
                json={"sender": {"handle": "slow"}, "body": "Delayed"},
                headers=AUTH,
            )
            assert answer.status_code == 202
            # Nothing else reads the store meanwhile: only the stream can have created the message.
            name, data = read_news(lines)
            elapsed = time.monotonic() - started
        assert name == "change" and data["changes"][0]["kind"] == "message_created"
        # Not before its creation delay (a lower bound, which no slowness can break).
        assert elapsed >= 0.25
    finally:
        server.stop()


# -- packaging -------------------------------------------------------------------------------------


def test_wheel_package_data_covers_every_template_and_static_file():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    ui = REPO / "emulator" / "ui"
    for folder in ("templates", "static"):
        # Data-only packages of their own: setuptools warns about data directories listed otherwise.
        package = f"emulator.ui.{folder}"
        assert package in config["packages"]
        patterns = config["package-data"][package]
        for path in (ui / folder).rglob("*"):
            if path.is_file():
                assert any(path.relative_to(ui / folder).match(pattern) for pattern in patterns), path
