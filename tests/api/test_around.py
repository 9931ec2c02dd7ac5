"""The Front around a channel, through HTTP: contacts, teammates, inboxes, conversation events, seen
receipts, and every `_links` URL the emulator answers resolving to a 2xx."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from emulator.schemas import validator
from emulator.workspace_files import load_workspace_file
from tests.conftest import CHANNEL, IN_PROCESS_URL, SMS_CHANNEL, post_message, read_message
from tests.receiver import Answer, Receiver

ADA = "tea_1b01"
GRACE = "tea_1b02"


def error_of(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    document = answer.json()
    validator("error").check(document)
    return document["_error"]


def send(client: TestClient, handle: str, channel: str = CHANNEL, **fields: Any) -> dict[str, Any]:
    return read_message(
        client, post_message(client, {"sender": {"handle": handle}, "body": "hi", **fields}, channel)
    )


def conversation_of(message: dict[str, Any]) -> str:
    return str(message["_links"]["related"]["conversation"].rsplit("/", 1)[1])


def use_receiver(client: TestClient, receiver: Receiver, **settings: Any) -> None:
    answer = client.patch(
        f"/channels/{CHANNEL}",
        json={"settings": {"webhook_url": receiver.url, "signing_scheme": receiver.scheme, **settings}},
    )
    assert answer.status_code == 204, answer.text


def reply(client: TestClient, conversation_id: str, **fields: Any) -> dict[str, Any]:
    answer = client.post(
        f"/conversations/{conversation_id}/messages",
        json={"body": "<p>On it</p>", "author_id": ADA, **fields},
    )
    assert answer.status_code == 202, answer.text
    return read_message(client, answer.json()["message_uid"])


def wait_for_deliveries(client: TestClient, count: int) -> None:
    answer = client.post("/_emulator/wait", json={"deliveries": count, "timeout": 30})
    assert answer.json()["satisfied"], answer.text


def add_comment(client: TestClient, conversation_id: str) -> str:
    answer = client.post(
        f"/conversations/{conversation_id}/comments", json={"body": "hi @ada", "author_id": ADA}
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def seed_with(client: TestClient, change: Any) -> None:
    """Seed the default workspace after `change(document)` edits it."""
    document = load_workspace_file().as_document()
    change(document)
    answer = client.post("/_emulator/seed", json={"workspace": document})
    assert answer.status_code == 200, answer.text


# -- the crawler ------------------------------------------------------------------------------------


def _links_of(document: Any) -> list[str]:
    """Every URL under a `_links` or `_pagination` key, anywhere in the document."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key in ("_links", "_pagination"):
                found += [url for url in _strings(value)]
            else:
                found += _links_of(value)
    elif isinstance(document, list):
        for item in document:
            found += _links_of(item)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    return []


def crawl(client: TestClient, starts: list[str]) -> dict[str, int]:
    """Follow every link from `starts`, recursively; the status of each URL reached."""
    seen: dict[str, int] = {}
    queue = list(starts)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        assert url.startswith(IN_PROCESS_URL), f"a link leaves the emulator: {url}"
        answer = client.get(url)
        seen[url] = answer.status_code
        if answer.status_code < 300 and answer.headers.get("content-type") == "application/json":
            queue += [link for link in _links_of(answer.json()) if link not in seen]
    return seen


def test_every_link_the_emulator_answers_resolves(client: TestClient, receiver: Receiver) -> None:
    use_receiver(client, receiver, auto_assign=True, allow_new_messages=True)
    inbound = send(client, "visitor-1", metadata={"thread_ref": "chat-1"})
    conversation_id = conversation_of(inbound)
    outbound = reply(client, conversation_id, options={"archive": False})
    composed = client.post(f"/channels/{CHANNEL}/messages", json={"to": ["visitor-2"], "body": "Hello"})
    assert composed.status_code == 202
    sms = send(client, "(555) 010-1234", SMS_CHANNEL)
    add_comment(client, conversation_id)
    tag = client.post("/tags", json={"name": "VIP"}).json()
    assert (
        client.post(f"/conversations/{conversation_id}/tags", json={"tag_ids": [tag["id"]]}).status_code
        == 204
    )
    wait_for_deliveries(client, 2)
    contact = inbound["recipients"][0]["_links"]["related"]["contact"]
    starts = [
        f"{IN_PROCESS_URL}{path}"
        for path in (
            "/channels",
            "/inboxes",
            "/teammates",
            "/contacts",
            "/conversations",
            "/tags",
            f"/conversations/{conversation_id}",
            f"/conversations/{conversation_of(sms)}",
            f"/messages/{inbound['id']}",
            f"/messages/{outbound['id']}",
            f"/teammates/{ADA}",
        )
    ] + [contact]
    seen = crawl(client, starts)
    failed = {url: status for url, status in seen.items() if not 200 <= status < 300}
    assert failed == {}
    kinds = {urlsplit(url).path.split("/")[1] for url in seen}
    assert kinds == {
        "channels",
        "inboxes",
        "teammates",
        "contacts",
        "conversations",
        "messages",
        "events",
        "comments",
        "tags",
    }
    # Every kind of link the issue found answering 404 is among them.
    paths = {urlsplit(url).path for url in seen}
    for expected in (
        f"/messages/{inbound['id']}/seen",
        f"/teammates/{ADA}/inboxes",
        f"/teammates/{ADA}/conversations",
        f"/conversations/{conversation_id}/events",
        f"/conversations/{conversation_id}/comments",
        f"/conversations/{conversation_id}/followers",
        f"/conversations/{conversation_id}/inboxes",
        "/inboxes/inb_1c01",
        urlsplit(contact).path,
    ):
        assert expected in paths
    print(f"crawler: {len(seen)} links followed, all 2xx")


# -- contacts ----------------------------------------------------------------------------------------


def test_the_contact_behind_a_handle_has_its_handles_typed_by_the_channels_contact_type(client):
    phone = send(client, "(555) 010-1234", SMS_CHANNEL, sender={"handle": "(555) 010-1234", "name": "Ada"})
    link = phone["recipients"][0]["_links"]["related"]["contact"]
    contact = client.get(link).json()
    assert contact["handles"] == [{"handle": "+15550101234", "source": "phone"}]
    assert contact["name"] == "Ada"
    assert contact["_links"] == {"self": link, "related": {"conversations": f"{link}/conversations"}}
    for alias in ("alt:phone:+15550101234", "alt%3Aphone%3A%2B15550101234"):
        assert client.get(f"/contacts/{alias}").json() == contact
    custom = send(client, "visitor-7")
    contact_id = custom["recipients"][0]["_links"]["related"]["contact"].rsplit("/", 1)[1]
    by_alias = client.get("/contacts/alt:custom:visitor-7").json()
    assert by_alias["id"] == contact_id
    assert by_alias["handles"] == [{"handle": "visitor-7", "source": "custom"}]
    # Named after its handle while nobody gave it a name.
    assert by_alias["name"] == "visitor-7"


@pytest.mark.parametrize(
    "reference", ["crd_nope", "alt:phone:+15550109999", "alt:email:visitor-7", "alt:custom:nobody"]
)
def test_an_unknown_contact_or_a_handle_of_another_source_is_a_404(client, reference):
    send(client, "visitor-7")
    error = error_of(client.get(f"/contacts/{reference}"), 404)
    assert reference in error["message"]


def test_a_contact_id_the_integration_gives_is_a_contact_with_that_handle(client):
    post_message(client, {"sender": {"handle": "v-1", "contact_id": "crd_given"}, "body": "x"})
    read_message(client, post_message(client, {"sender": {"handle": "v-2"}, "body": "y"}))
    contact = client.get("/contacts/crd_given").json()
    assert contact["handles"] == [{"handle": "v-1", "source": "custom"}]


def test_contacts_list_newest_first_in_pages_whose_links_name_the_page(client):
    for handle in ("a-1", "a-2", "a-3"):
        send(client, handle)
    first = client.get("/contacts?limit=2").json()
    assert [item["handles"][0]["handle"] for item in first["_results"]] == ["a-3", "a-2"]
    assert first["_links"]["self"] == f"{IN_PROCESS_URL}/contacts?limit=2"
    next_url = first["_pagination"]["next"]
    second = client.get(next_url).json()
    assert [item["handles"][0]["handle"] for item in second["_results"]] == ["a-1"]
    assert second["_pagination"]["next"] is None
    assert second["_links"]["self"] == next_url
    assert parse_qs(urlsplit(next_url).query)["limit"] == ["2"]
    ascending = client.get("/contacts?sort_order=asc").json()
    assert [item["handles"][0]["handle"] for item in ascending["_results"]] == ["a-1", "a-2", "a-3"]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("limit=0", "/limit: must be an integer from 1 to 100"),
        ("limit=101", "/limit: must be an integer from 1 to 100"),
        ("page_token=bm9wZQ", "/page_token: is not a page token this emulator issued"),
    ],
)
def test_bad_list_parameters_are_a_400(client, query, detail):
    for path in ("/contacts", "/conversations", f"/teammates/{ADA}/conversations"):
        error = error_of(client.get(f"{path}?{query}"), 400)
        assert error["details"] == [detail]


def test_a_contacts_conversations(client):
    first = send(client, "visitor-1", metadata={"thread_ref": "one"})
    second = send(client, "visitor-1", metadata={"thread_ref": "two"})
    send(client, "visitor-2")
    contact = first["recipients"][0]["_links"]["related"]["contact"]
    listed = client.get(f"{contact}/conversations").json()
    assert [item["id"] for item in listed["_results"]] == [conversation_of(second), conversation_of(first)]


# -- teammates ---------------------------------------------------------------------------------------


def test_teammates_by_id_and_by_email_alias(client):
    listed = client.get("/teammates").json()
    assert [item["id"] for item in listed["_results"]] == [ADA, GRACE]
    assert listed["_links"] == {"self": f"{IN_PROCESS_URL}/teammates"}
    ada = client.get(f"/teammates/{ADA}").json()
    assert ada == listed["_results"][0]
    assert client.get("/teammates/alt:email:ADA@example.test").json() == ada
    assert client.get("/teammates/alt%3Aemail%3Aada%40example.test").json() == ada
    error = error_of(client.get("/teammates/alt:email:nobody@example.test"), 404)
    assert error["message"] == "Teammate alt:email:nobody@example.test not found"
    error_of(client.get("/teammates/tea_nope/inboxes"), 404)


def test_a_teammates_inboxes_are_the_inboxes_they_belong_to(client):
    ada = client.get(f"/teammates/{ADA}/inboxes").json()
    grace = client.get(f"/teammates/{GRACE}/inboxes").json()
    assert [item["id"] for item in ada["_results"]] == ["inb_1c01", "inb_1c02", "inb_1c03"]
    assert [item["id"] for item in grace["_results"]] == ["inb_1c01", "inb_1c02"]
    partners = client.get("/inboxes/inb_1c03/teammates").json()
    assert [item["id"] for item in partners["_results"]] == [ADA]


def test_assigned_conversations_filtered_by_status(client, receiver):
    use_receiver(client, receiver, auto_assign=True)
    kept = conversation_of(send(client, "visitor-1"))
    reply(client, kept, options={"archive": False})
    archived = conversation_of(send(client, "visitor-2"))
    reply(client, archived)
    send(client, "visitor-3")
    wait_for_deliveries(client, 2)
    every = client.get(f"/teammates/{ADA}/conversations").json()
    assert [item["id"] for item in every["_results"]] == [archived, kept]
    open_only = client.get(f"/teammates/{ADA}/conversations?q[statuses][]=assigned").json()
    assert [item["id"] for item in open_only["_results"]] == [kept]
    both = client.get(
        f"/teammates/{ADA}/conversations",
        params=[("q[statuses][]", "archived"), ("q[statuses][]", "assigned")],
    ).json()
    assert [item["id"] for item in both["_results"]] == [archived, kept]
    assert client.get(f"/teammates/{GRACE}/conversations").json()["_results"] == []
    error = error_of(client.get("/conversations?q[statuses][]=closed"), 400)
    assert error["details"] == ["/q/statuses: 'closed' is not one of assigned, unassigned, archived, trashed"]


def test_conversations_list_most_recently_updated_first_without_the_trash(client):
    first = conversation_of(send(client, "visitor-1"))
    second = conversation_of(send(client, "visitor-2"))
    trashed = conversation_of(send(client, "visitor-3"))
    send(client, "visitor-1")
    assert client.patch(f"/conversations/{trashed}", json={"status": "deleted"}).status_code == 204
    listed = client.get("/conversations").json()
    assert [item["id"] for item in listed["_results"]] == [first, second]
    in_trash = client.get("/conversations?q[statuses][]=trashed").json()
    assert [item["id"] for item in in_trash["_results"]] == [trashed]


# -- inboxes -----------------------------------------------------------------------------------------


def test_every_channel_belongs_to_one_inbox_and_links_to_it(client):
    inboxes = client.get("/inboxes").json()["_results"]
    assert [(item["id"], item["name"]) for item in inboxes] == [
        ("inb_1c01", "Support"),
        ("inb_1c02", "SMS"),
        ("inb_1c03", "Partners"),
    ]
    for channel in client.get("/channels").json()["_results"]:
        inbox = client.get(channel["_links"]["related"]["inbox"]).json()
        members = client.get(inbox["_links"]["related"]["channels"]).json()["_results"]
        assert channel["id"] in [item["id"] for item in members]
    support = client.get("/inboxes/inb_1c01/channels").json()
    assert [item["id"] for item in support["_results"]] == [CHANNEL, "cha_1a03"]
    error_of(client.get("/inboxes/inb_nope"), 404)


def test_a_channel_no_inbox_lists_has_an_inbox_of_its_own(client):
    created = client.post(
        "/_emulator/channels", json={"id": "cha_9z01", "address": "new@example.test", "name": "New"}
    )
    assert created.status_code == 201, created.text
    channel = client.get("/channels/cha_9z01").json()
    assert channel["_links"]["related"]["inbox"] == f"{IN_PROCESS_URL}/inboxes/inb_9z01"
    inbox = client.get("/inboxes/inb_9z01").json()
    assert inbox["name"] == "New"
    message = send(client, "visitor-1", "cha_9z01")
    listed = client.get("/inboxes/inb_9z01/conversations").json()
    assert [item["id"] for item in listed["_results"]] == [conversation_of(message)]
    assert client.get("/inboxes/inb_1c01/conversations").json()["_results"] == []
    inboxes = client.get(f"/conversations/{conversation_of(message)}/inboxes").json()["_results"]
    assert [item["id"] for item in inboxes] == ["inb_9z01"]


@pytest.mark.parametrize(
    ("inboxes", "details"),
    [
        (
            [{"id": "inb_1", "name": "A", "channels": ["cha_1a01", "cha_nope"]}],
            ["/inboxes/0/channels/1: no channel 'cha_nope' in this workspace"],
        ),
        (
            [
                {"id": "inb_1", "name": "A", "channels": ["cha_1a01"]},
                {"id": "inb_2", "name": "B", "channels": ["cha_1a01"], "teammates": ["tea_nope"]},
            ],
            [
                "/inboxes/1/channels/0: 'cha_1a01' is already in inbox 'inb_1'",
                "/inboxes/1/teammates/0: no teammate 'tea_nope' in this workspace",
            ],
        ),
        (
            [{"id": "inb_1a02", "name": "A", "channels": ["cha_1a01"]}],
            ["/inboxes/0/id: 'inb_1a02' is the own inbox of channel 'cha_1a02', which no inbox lists"],
        ),
    ],
)
def test_a_workspace_with_wrong_inboxes_is_refused(client, inboxes, details):
    document = load_workspace_file().as_document()
    document["inboxes"] = inboxes
    answer = client.post("/_emulator/seed", json={"workspace": document})
    assert answer.status_code == 400, answer.text
    assert all(any(detail in line for line in answer.json()["_error"]["details"]) for detail in details)
    assert client.get("/inboxes").json()["_results"][0]["id"] == "inb_1c01"


# -- conversation events -----------------------------------------------------------------------------


def _events(client: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    answer = client.get(f"/conversations/{conversation_id}/events")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["_results"])


def test_events_record_what_happened_newest_first(client, receiver):
    use_receiver(client, receiver, auto_assign=True)
    inbound = send(client, "visitor-1")
    conversation_id = conversation_of(inbound)
    outbound = reply(client, conversation_id)
    wait_for_deliveries(client, 1)
    send(client, "visitor-1")
    for status in ("archived", "open", "deleted", "open"):
        assert client.patch(f"/conversations/{conversation_id}", json={"status": status}).status_code == 204
    events = _events(client, conversation_id)
    assert [event["type"] for event in events] == [
        "restore",
        "trash",
        "reopen",
        "archive",
        "inbound",
        "reopen",
        "archive",
        "assign",
        "out_reply",
        "inbound",
    ]
    inbound_event, out_reply, assign = events[-1], events[-2], events[-3]
    assert inbound_event["source"] == {"_meta": {"type": "recipient"}}
    assert inbound_event["target"]["_meta"] == {"type": "message"}
    assert inbound_event["target"]["data"]["id"] == inbound["id"]
    assert out_reply["source"]["_meta"] == {"type": "teammate"} and out_reply["source"]["data"]["id"] == ADA
    assert out_reply["target"]["data"]["id"] == outbound["id"]
    assert assign["target"] == {"_meta": {"type": "teammate"}, "data": client.get(f"/teammates/{ADA}").json()}
    assert all(event["conversation"]["id"] == conversation_id for event in events)
    emitted = [event["emitted_at"] for event in events]
    assert emitted == sorted(emitted, reverse=True)
    assert client.get(events[0]["_links"]["self"]).json() == events[0]
    error_of(client.get("/events/evt_999"), 404)


def test_a_new_message_is_an_outbound_event_and_a_failed_send_a_sending_error(client, receiver):
    receiver.answer = lambda document: Answer(status=500, body=b"")
    use_receiver(client, receiver, allow_new_messages=True)
    answer = client.post(f"/channels/{CHANNEL}/messages", json={"to": ["visitor-9"], "body": "Hello"})
    assert answer.status_code == 202
    wait_for_deliveries(client, 1)
    message = read_message(client, answer.json()["message_uid"])
    wait = client.post("/_emulator/wait", json={"message_uid": answer.json()["message_uid"], "timeout": 5})
    assert wait.json()["satisfied"]
    events = _events(client, conversation_of(message))
    assert [event["type"] for event in events][-2:] == ["archive", "outbound"]
    assert events[0]["type"] == "sending_error"
    assert events[0]["target"]["data"]["id"] == message["id"]
    assert events[0]["target"]["data"]["error_type"] is not None


def test_events_are_paginated_and_go_with_snapshots_and_reset(client):
    conversation_id = conversation_of(send(client, "visitor-1"))
    snapshot = client.post("/_emulator/snapshot").json()["snapshot_id"]
    send(client, "visitor-1")
    add_comment(client, conversation_id)
    tag = client.post("/tags", json={"name": "VIP"}).json()
    client.post(f"/conversations/{conversation_id}/tags", json={"tag_ids": [tag["id"]]})
    page = client.get(f"/conversations/{conversation_id}/events?limit=1").json()
    assert len(page["_results"]) == 1 and page["_pagination"]["next"]
    rest = client.get(page["_pagination"]["next"]).json()
    assert [event["type"] for event in rest["_results"]] == ["comment"]
    assert client.post(f"/_emulator/snapshots/{snapshot}/restore").status_code == 200
    assert len(_events(client, conversation_id)) == 1
    assert client.get(f"/conversations/{conversation_id}/comments").json()["_results"] == []
    assert client.get("/tags").json()["_results"] == []
    assert client.get(f"/conversations/{conversation_id}").json()["tags"] == []
    assert client.post("/_emulator/reset").status_code == 204
    assert client.get("/contacts").json()["_results"] == []
    error_of(client.get(f"/conversations/{conversation_id}/events"), 404)


# -- comments, followers, seen receipts ------------------------------------------------------------


def test_followers_and_seen_receipts_are_empty_lists(client):
    message = send(client, "visitor-1")
    conversation_id = conversation_of(message)
    followers = client.get(f"/conversations/{conversation_id}/followers").json()
    assert followers["_results"] == []
    seen = client.get(message["_links"]["related"]["message_seen"]).json()
    assert seen == {
        "_pagination": {"next": None},
        "_links": {"self": message["_links"]["related"]["message_seen"]},
        "_results": [],
    }
    error_of(client.get("/messages/msg_nope/seen"), 404)
    for what in ("comments", "followers", "inboxes", "events"):
        error_of(client.get(f"/conversations/cnv_nope/{what}"), 404)


# -- scopes ------------------------------------------------------------------------------------------

SCOPED_ROUTES = [
    ("/contacts", "contacts:read"),
    ("/contacts/alt:custom:visitor-1", "contacts:read"),
    ("/contacts/alt:custom:visitor-1/conversations", "conversations:read"),
    ("/teammates", "teammates:read"),
    (f"/teammates/{ADA}", "teammates:read"),
    (f"/teammates/{ADA}/inboxes", "inboxes:read"),
    (f"/teammates/{ADA}/conversations", "conversations:read"),
    ("/inboxes", "inboxes:read"),
    ("/inboxes/inb_1c01", "inboxes:read"),
    ("/inboxes/inb_1c01/channels", "channels:read"),
    ("/inboxes/inb_1c01/conversations", "conversations:read"),
    ("/inboxes/inb_1c01/teammates", "teammates:read"),
    ("/conversations", "conversations:read"),
    ("/conversations/{conversation}/events", "events:*:read"),
    ("/events/evt_1", "events:*:read"),
    ("/conversations/{conversation}/comments", "comments:read"),
    ("/comments/{comment}", "comments:read"),
    ("/comments/{comment}/mentions", "teammates:read"),
    ("/conversations/{conversation}/followers", "teammates:read"),
    ("/conversations/{conversation}/inboxes", "inboxes:read"),
    ("/messages/{message}/seen", "messages:read"),
    ("/tags", "tags:read"),
]


def test_each_route_needs_its_scope_and_the_read_only_token_has_them(client):
    message = send(client, "visitor-1")
    comment = add_comment(client, conversation_of(message))
    paths = [
        (path.format(conversation=conversation_of(message), message=message["id"], comment=comment), scope)
        for path, scope in SCOPED_ROUTES
    ]

    every = sorted({scope for _, scope in SCOPED_ROUTES})

    def one_scope_short(document: dict[str, Any]) -> None:
        document["tokens"] += [
            {"token": f"token-without-{index}", "scopes": [other for other in every if other != scope]}
            for index, scope in enumerate(every)
        ]

    readonly = {"Authorization": "Bearer front-emulator-read-only"}
    for path, _ in paths:
        assert client.get(path, headers=readonly).status_code == 200, path
    seed_with(client, one_scope_short)
    message = send(client, "visitor-1")
    comment = add_comment(client, conversation_of(message))
    for path, scope in SCOPED_ROUTES:
        path = path.format(conversation=conversation_of(message), message=message["id"], comment=comment)
        without = {"Authorization": f"Bearer token-without-{every.index(scope)}"}
        error = error_of(client.get(path, headers=without), 403)
        assert error["message"] == f"Token lacks the required {scope} scope"


def test_a_removed_channel_leaves_its_inbox(client):
    assert client.delete("/_emulator/channels/cha_1a04").status_code == 204
    assert client.get("/inboxes/inb_1c03/channels").json()["_results"] == []
    assert client.get("/inboxes/inb_1c03").status_code == 200
