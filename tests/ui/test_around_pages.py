"""The inspector's pages for the Front around a channel, over plain HTTP: a contact (its handles and
conversations), an inbox (its channels and conversations), and a conversation's events timeline, each
showing what Front's own routes answer, every handle linked to its contact."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import CHANNEL, EMAIL_CHANNEL, SMS_CHANNEL
from tests.helpers import conversation_of, final_state, start_conversation
from tests.ui.inspector import ADA, UI, assert_links_resolve, inspector_links, page, text_of


def _busy_conversation(client: TestClient) -> str:
    """A conversation with one of each event a teammate, the API and the contact cause."""
    conversation = conversation_of(start_conversation(client, "alice@example.test", "Where is my parcel?"))
    assert client.put(f"/conversations/{conversation}/assignee", json={"assignee_id": ADA}).status_code == 204
    created = client.post("/tags", json={"name": "urgent"})
    assert created.status_code == 201, created.text
    tagged = client.post(f"/conversations/{conversation}/tags", json={"tag_ids": [created.json()["id"]]})
    assert tagged.status_code == 204, tagged.text
    comment = client.post(
        f"/conversations/{conversation}/comments",
        json={"body": "Checking with the carrier", "author_id": ADA},
    )
    assert comment.status_code == 201, comment.text
    # The default Website chat's Outgoing URL answers nothing: the reply fails (sending_error).
    reply = client.post(
        f"/conversations/{conversation}/messages", json={"body": "<p>On it</p>", "author_id": ADA}
    )
    assert reply.status_code == 202, reply.text
    outbound = client.get(f"/messages/alt:uid:{reply.json()['message_uid']}").json()
    assert final_state(client, outbound["id"])["delivery_status"] == "failed"
    archived = client.patch(f"/conversations/{conversation}", json={"status": "archived"})
    assert archived.status_code == 204, archived.text
    start_conversation(client, "alice@example.test", "Any news?")
    return conversation


def test_the_events_timeline_shows_what_get_events_answers(client: TestClient) -> None:
    conversation = _busy_conversation(client)
    events = client.get(f"/conversations/{conversation}/events").json()["_results"]
    markup = page(client, f"{UI}/conversations/{conversation}")
    timeline = markup[markup.index('id="live-timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    # The same events in the same order (newest first), each with Front's id and type.
    shown = [event["id"] for event in events if f'id="{event["id"]}"' in timeline]
    assert shown == [event["id"] for event in events]
    assert [timeline.index(f'id="{event["id"]}"') for event in events] == sorted(
        timeline.index(f'id="{event["id"]}"') for event in events
    )
    types = {event["type"] for event in events}
    assert {
        "inbound",
        "assign",
        "tag",
        "comment",
        "out_reply",
        "sending_error",
        "archive",
        "reopen",
    } <= types, types
    text = text_of(timeline)
    for expected in ("assign", "teammate Ada Lovelace", "tag urgent", "comment “Checking with the carrier”"):
        assert expected in text, expected
    assert "by the contact" in text and "by Ada Lovelace" in text
    assert_links_resolve(client, markup)


def test_every_handle_links_to_its_contact_page(client: TestClient) -> None:
    conversation = _busy_conversation(client)
    other = conversation_of(start_conversation(client, "+15550101234", "Text me", channel=SMS_CHANNEL))
    contact_url = client.get(f"/conversations/{conversation}").json()["recipient"]["_links"]["related"][
        "contact"
    ]
    contact = client.get(contact_url).json()
    markup = page(client, f"{UI}/conversations/{conversation}")
    # The conversation's contact, the inbound senders and the reply's recipient.
    assert markup.count(f'href="{UI}/contacts/{contact["id"]}"') >= 4
    assert f'href="{UI}/contacts/{contact["id"]}"' in page(client, f"{UI}/channels/{CHANNEL}")

    contact_markup = page(client, f"{UI}/contacts/{contact['id']}")
    text = text_of(contact_markup)
    [handle] = contact["handles"]
    assert contact["id"] in text and f"{handle['source']} alt:{handle['source']}:alice@example.test" in text
    listed = client.get(f"/contacts/{contact['id']}/conversations").json()["_results"]
    assert [item["id"] for item in listed] == [conversation]
    assert f'href="{UI}/conversations/{conversation}"' in contact_markup
    assert other not in contact_markup
    assert_links_resolve(client, contact_markup)
    # Front's alias `alt:<source>:<handle>` finds a contact too, as GET /contacts/{id} does.
    by_alias = text_of(page(client, f"{UI}/contacts/alt:phone:+15550101234"))
    assert client.get("/contacts/alt:phone:+15550101234").json()["id"] in by_alias
    assert f"{UI}/conversations/{other}" in inspector_links(
        page(client, f"{UI}/contacts/alt:phone:+15550101234")
    )


def test_the_inbox_page_lists_its_channels_and_conversations_and_channels_link_to_it(
    client: TestClient,
) -> None:
    on_chat = conversation_of(start_conversation(client, "visitor-1"))
    on_sms = conversation_of(start_conversation(client, "+15550101234", channel=SMS_CHANNEL))
    inbox = client.get("/inboxes/inb_1c01").json()
    channel_markup = page(client, f"{UI}/channels/{CHANNEL}")
    assert f'href="{UI}/inboxes/inb_1c01"' in channel_markup
    markup = page(client, f"{UI}/inboxes/inb_1c01")
    text = text_of(markup)
    assert inbox["name"] in text and "inb_1c01" in text
    channels = {item["id"] for item in client.get("/inboxes/inb_1c01/channels").json()["_results"]}
    assert channels == {CHANNEL, EMAIL_CHANNEL}
    assert {f"{UI}/channels/{item}" for item in channels} <= inspector_links(markup)
    assert f"{UI}/conversations/{on_chat}" in inspector_links(markup)
    contact = client.get(f"/conversations/{on_chat}").json()["recipient"]["_links"]["related"]["contact"]
    assert f"{UI}/contacts/{contact.rsplit('/', 1)[1]}" in inspector_links(markup)
    assert on_sms not in markup
    assert_links_resolve(client, markup)
    # The workspace links every channel's inbox.
    assert {f"{UI}/inboxes/inb_1c01", f"{UI}/inboxes/inb_1c02"} <= inspector_links(page(client, UI))


def test_unknown_contacts_and_inboxes_answer_the_inspectors_404_page(client: TestClient) -> None:
    for path in (
        f"{UI}/contacts/crd_nope",
        f"{UI}/contacts/alt:email:nobody@example.test",
        f"{UI}/inboxes/inb_nope",
    ):
        text = text_of(page(client, path, status=404))
        assert "404 · Not found" in text and "not found" in text
