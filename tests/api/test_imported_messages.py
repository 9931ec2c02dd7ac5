"""Front's Import Message API through HTTP: POST /inboxes/{inbox_id}/imported_messages, JSON and multipart,
asynchronous like incoming messages, one import per external id of an inbox, threaded as Front says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from emulator.schemas import all_schemas
from tests.api.test_around import crawl
from tests.conftest import READ_ONLY_TOKEN, post_message, read_message
from tests.helpers import assert_front_error
from tests.test_schemas import _compare, _front_request_schema, _Ours

INBOX = "inb_1c01"
ROUTE = f"/inboxes/{INBOX}/imported_messages"
OLD = 1_600_000_000
HISTORY = {
    "sender": {"handle": "ada@example.test", "name": "Ada"},
    "to": ["support@example.test"],
    "body": "My order is *late*",
    "external_id": "ticket-1",
    "created_at": OLD,
    "metadata": {"is_inbound": True},
}


@pytest.fixture
def client(fresh_client: TestClient) -> TestClient:
    return fresh_client


def import_message(client: TestClient, document: dict[str, Any], route: str = ROUTE) -> str:
    answer = client.post(route, json=document)
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    assert accepted["status"] == "accepted"
    return str(accepted["message_uid"])


def imported(client: TestClient, **changes: Any) -> dict[str, Any]:
    return read_message(client, import_message(client, {**HISTORY, **changes}))


def conversation(client: TestClient, message: dict[str, Any]) -> dict[str, Any]:
    return dict(client.get(message["_links"]["related"]["conversation"]).json())


def event_types(client: TestClient, conversation_document: dict[str, Any]) -> list[str]:
    events = client.get(conversation_document["_links"]["related"]["events"]).json()["_results"]
    return [event["type"] for event in events][::-1]


def message_count(client: TestClient) -> int:
    return int(client.get("/_emulator/readyz").json()["messages"])


def test_an_inbound_import_is_dated_when_it_happened_and_archived_in_the_inbox(client: TestClient) -> None:
    message = imported(
        client, subject="Late order", tags=["history", "VIP"], assignee_id="alt:email:ada@example.test"
    )
    assert message["created_at"] == OLD
    assert message["is_inbound"] is True
    assert (message["subject"], message["body"]) == ("Late order", "<p>My order is <em>late</em></p>\n")
    assert [(item["handle"], item["role"], item["name"]) for item in message["recipients"]] == [
        ("ada@example.test", "from", "Ada"),
        ("support@example.test", "to", None),
    ]
    found = conversation(client, message)
    assert found["status"] == "archived"
    assert found["assignee"]["id"] == "tea_1b01"
    assert [item["name"] for item in found["tags"]] == ["history", "VIP"]
    assert event_types(client, found) == ["inbound", "assign", "tag", "tag", "archive"]
    inboxes = client.get(found["_links"]["related"]["inboxes"]).json()["_results"]
    assert [item["id"] for item in inboxes] == [INBOX]
    assert found["id"] in [
        item["id"] for item in client.get(f"/inboxes/{INBOX}/conversations").json()["_results"]
    ]
    contact = client.get(message["recipients"][0]["_links"]["related"]["contact"]).json()
    assert contact["handles"] == [{"handle": "ada@example.test", "source": "email"}]
    contact_conversations = client.get(contact["_links"]["related"]["conversations"]).json()["_results"]
    assert [item["id"] for item in contact_conversations] == [found["id"]]
    assert all(status < 300 for status in crawl(client, [message["_links"]["self"]]).values())


def test_an_import_is_created_after_the_creation_delay_as_incoming_messages_are(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(clock=FrozenClock(1_700_000_000.0), creation_delay=CreationDelay(2, 2))
    uid = import_message(client, HISTORY)
    assert_front_error(client.get(f"/messages/alt:uid:{uid}"), 404)
    assert (
        client.post("/_emulator/wait", json={"message_uid": uid, "timeout": 0}).json()["satisfied"] is False
    )
    client.post("/_emulator/clock/advance", json={"seconds": 2})
    waited = client.post("/_emulator/wait", json={"message_uid": uid, "timeout": 5}).json()
    assert waited["satisfied"] is True
    assert read_message(client, uid)["id"] == waited["message_id"]
    assert read_message(client, uid)["created_at"] == OLD


def test_an_external_id_is_imported_once_even_when_repeated_before_creation(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(clock=FrozenClock(1_700_000_000.0), creation_delay=CreationDelay(2, 2))
    first = import_message(client, HISTORY)
    # A retry before the first is created, even with another body, is the first import.
    assert import_message(client, {**HISTORY, "body": "retry"}) == first
    assert import_message(client, HISTORY) == first
    # The same external id in another inbox is another import.
    other = import_message(client, HISTORY, "/inboxes/inb_1c02/imported_messages")
    assert other != first
    client.post("/_emulator/clock/advance", json={"seconds": 2})
    assert message_count(client) == 2
    assert read_message(client, first)["text"] == "My order is late"
    # And after creation.
    assert import_message(client, HISTORY) == first
    client.post("/_emulator/clock/advance", json={"seconds": 2})
    assert message_count(client) == 2


def test_threading_by_thread_ref_else_by_sender_and_conversation_id_overrides_both(
    client: TestClient,
) -> None:
    first = imported(client, external_id="a", metadata={"is_inbound": True, "thread_ref": "t-1"})
    same_ref = imported(
        client,
        external_id="b",
        sender={"handle": "grace@example.test"},
        metadata={"is_inbound": True, "thread_ref": "t-1"},
    )
    by_sender = imported(client, external_id="c")
    again_by_sender = imported(client, external_id="d")
    assert conversation(client, first)["id"] == conversation(client, same_ref)["id"]
    assert conversation(client, by_sender)["id"] != conversation(client, first)["id"]
    assert conversation(client, by_sender)["id"] == conversation(client, again_by_sender)["id"]
    target = conversation(client, by_sender)["id"]
    told = imported(
        client, external_id="e", conversation_id=target, metadata={"is_inbound": True, "thread_ref": "t-1"}
    )
    assert conversation(client, told)["id"] == target
    assert told["metadata"] == {"external_id": "e"}
    assert first["metadata"] == {"thread_ref": "t-1", "external_id": "a"}
    # A reference incoming_messages made does not thread with an import's (Front: unique to imports).
    incoming = read_message(
        client,
        post_message(
            client,
            {"sender": {"handle": "ada@example.test"}, "body": "hi", "metadata": {"thread_ref": "t-1"}},
        ),
    )
    assert conversation(client, incoming)["id"] != conversation(client, first)["id"]


def test_is_archived_false_leaves_the_conversation_in_the_inbox(client: TestClient) -> None:
    archived = imported(client, external_id="a")
    reopened = imported(client, external_id="b", metadata={"is_inbound": True, "is_archived": False})
    found = conversation(client, reopened)
    assert found["id"] == conversation(client, archived)["id"]
    assert found["status"] == "unassigned"
    assert event_types(client, found) == ["inbound", "archive", "inbound", "reopen"]


def test_an_outbound_import_is_the_teammates_and_never_delivered(client: TestClient) -> None:
    message = imported(
        client,
        sender={"handle": "support@example.test", "author_id": "alt:email:grace@example.test"},
        to=["ada@example.test"],
        cc=["(555) 010-1234"],
        type="custom",
        metadata={"is_inbound": False},
    )
    assert message["is_inbound"] is False
    assert message["author"]["id"] == "tea_1b02"
    assert [(item["handle"], item["role"]) for item in message["recipients"]] == [
        ("support@example.test", "from"),
        ("ada@example.test", "to"),
        ("+15550101234", "cc"),
    ]
    assert message["recipients"][0]["_links"]["related"]["contact"] is None
    contact = client.get(message["recipients"][1]["_links"]["related"]["contact"]).json()
    assert contact["handles"] == [{"handle": "ada@example.test", "source": "custom"}]
    found = conversation(client, message)
    assert found["recipient"]["handle"] == "ada@example.test"
    assert event_types(client, found) == ["outbound", "archive"]
    assert client.get("/_emulator/deliveries").json()["_results"] == []


def test_a_multipart_import_carries_attachments_and_typed_fields(client: TestClient) -> None:
    form = {
        "sender[handle]": "+1 555 010 9999",
        "to[]": "sms@example.test",
        "body": "photo attached",
        "external_id": "sms-1",
        "created_at": str(OLD),
        "type": "sms",
        "metadata[is_inbound]": "true",
        "metadata[is_archived]": "false",
        "tags[]": "imported",
    }
    answer = client.post(ROUTE, data=form, files={"attachments": ("photo.png", b"\x89PNG", "image/png")})
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert message["created_at"] == OLD
    assert message["recipients"][0]["handle"] == "+15550109999"
    [attachment] = message["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "photo.png",
        "image/png",
        4,
    )
    assert client.get(attachment["url"]).content == b"\x89PNG"
    found = conversation(client, message)
    assert (found["status"], [item["name"] for item in found["tags"]]) == ("unassigned", ["imported"])
    contact = client.get(message["recipients"][0]["_links"]["related"]["contact"]).json()
    assert contact["handles"] == [{"handle": "+15550109999", "source": "phone"}]


def test_attachments_over_the_limit_are_a_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_attachments_bytes=10)
    form = {
        "sender[handle]": "ada@example.test",
        "to[]": "support@example.test",
        "body": "big",
        "external_id": "big-1",
        "created_at": str(OLD),
        "metadata[is_inbound]": "true",
    }
    answer = client.post(
        ROUTE, data=form, files={"attachments": ("big.bin", b"x" * 11, "application/octet-stream")}
    )
    assert (
        assert_front_error(answer, 413)["message"] == "Attachments are larger than the 10 bytes Front accepts"
    )
    assert message_count(client) == 0


@pytest.mark.parametrize(
    ("changes", "details"),
    [
        (
            {"sender": {}, "to": [], "created_at": "yesterday", "metadata": {}},
            [
                "/created_at: must be an integer",
                "/metadata/is_inbound: required",
                "/sender/handle: required",
                "/to: must not be empty",
            ],
        ),
        (
            {"external_id": "", "type": "fax", "attachments": ["aGk="]},
            [
                "/attachments: files can only be sent with Content-Type multipart/form-data; a JSON body may "
                "carry an empty list",
                "/external_id: must not be empty",
                "/type: must be one of: email, sms, intercom, custom",
            ],
        ),
        ({"type": "sms", "body_format": "html"}, ["/body_format: can only be given for type email"]),
        (
            {"assignee_id": "alt:email:nobody@example.test"},
            ["/assignee_id: no teammate alt:email:nobody@example.test in this workspace"],
        ),
        (
            {
                "sender": {"handle": "me@example.test", "author_id": "tea_nobody"},
                "metadata": {"is_inbound": False},
            },
            ["/sender/author_id: no teammate tea_nobody in this workspace"],
        ),
        ({"conversation_id": "cnv_nowhere"}, ["/conversation_id: no conversation cnv_nowhere"]),
    ],
)
def test_a_wrong_import_is_refused_with_each_bad_field_and_imports_nothing(
    client: TestClient, changes: dict[str, Any], details: list[str]
) -> None:
    error = assert_front_error(client.post(ROUTE, json={**HISTORY, **changes}), 400)
    assert (error["message"], error["details"]) == ("Invalid request body", details)
    assert message_count(client) == 0
    # The external id was not taken by the refused import.
    assert read_message(client, import_message(client, HISTORY))["text"] == "My order is late"


def test_an_unknown_inbox_a_missing_scope_and_another_content_type_are_refused(client: TestClient) -> None:
    assert_front_error(client.post("/inboxes/inb_nowhere/imported_messages", json=HISTORY), 404)
    answer = client.post(ROUTE, json=HISTORY, headers={"Authorization": f"Bearer {READ_ONLY_TOKEN}"})
    assert assert_front_error(answer, 403)["message"] == "Token lacks the required messages:write scope"
    assert_front_error(client.post(ROUTE, content=b"body=hi", headers={"content-type": "text/plain"}), 415)
    assert message_count(client) == 0


def test_an_inbox_whose_channels_are_gone_refuses_imports(client: TestClient) -> None:
    assert client.delete("/_emulator/channels/cha_1a04").status_code == 204
    error = assert_front_error(client.post("/inboxes/inb_1c03/imported_messages", json=HISTORY), 400)
    assert error["message"] == "Inbox inb_1c03 has no channel left to hold imported conversations"


def test_the_schema_has_fronts_import_message_fields_and_types() -> None:
    front = _front_request_schema("/inboxes/{inbox_id}/imported_messages", "post")
    ours = all_schemas()["import-message"]
    assert set(ours["properties"]) == set(front["properties"])
    assert set(ours["properties"]["metadata"]["properties"]) == set(
        front["properties"]["metadata"]["properties"]
    )
    assert set(ours["properties"]["sender"]["properties"]) == set(front["properties"]["sender"]["properties"])
    assert _compare(_Ours("import-message"), ours, "import-message", front, "") == []


# -- properties (bounded, reproducible) ---------------------------------------------------------------

_words = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
_optional_fields = st.fixed_dictionaries(
    {},
    optional={
        "subject": _words,
        "cc": st.lists(_words, min_size=1, max_size=2),
        "tags": st.lists(_words, min_size=1, max_size=2),
        "type": st.sampled_from(["email", "sms", "intercom", "custom"]),
        "is_archived": st.booleans(),
        "thread_ref": _words,
        "created_at": st.integers(min_value=0, max_value=4_000_000_000),
    },
)


def _form(document: dict[str, Any]) -> dict[str, Any]:
    """The same import as form fields, as an HTTP client builds them."""
    form: dict[str, Any] = {"sender[handle]": document["sender"]["handle"], "body": document["body"]}
    form |= {"external_id": document["external_id"], "created_at": str(document["created_at"])}
    for name, value in document.get("metadata", {}).items():
        form[f"metadata[{name}]"] = str(value).lower() if isinstance(value, bool) else value
    for name in ("to", "cc", "tags"):
        if name in document:
            form[f"{name}[]"] = document[name]
    for name in ("subject", "type"):
        if name in document:
            form[name] = document[name]
    return form


def _shown(client: TestClient, uid: str) -> tuple[Any, ...]:
    message = read_message(client, uid)
    found = conversation(client, message)
    people = [(item["handle"], item["role"]) for item in message["recipients"]]
    return (
        message["metadata"].get("thread_ref"),
        message["created_at"],
        message["subject"],
        message["text"],
        people,
        found["status"],
        [t["name"] for t in found["tags"]],
    )


# One client for every example: each starts with a reset.
@settings(max_examples=15, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=_optional_fields)
def test_a_form_and_a_json_body_import_the_same_message(client: TestClient, fields: dict[str, Any]) -> None:
    metadata: dict[str, Any] = {"is_inbound": True}
    metadata |= {name: fields.pop(name) for name in ("is_archived", "thread_ref") if name in fields}
    document = {**HISTORY, "metadata": metadata, **fields}
    client.post("/_emulator/reset")
    by_json = import_message(client, {**document, "external_id": "json"})
    answer = client.post(ROUTE, data=_form({**document, "external_id": "form"}))
    assert answer.status_code == 202, answer.text
    assert _shown(client, by_json) == _shown(client, answer.json()["message_uid"])


# One client for every example: each starts with a reset.
@settings(max_examples=15, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    imports=st.lists(
        st.tuples(
            st.sampled_from(["ada@example.test", "grace@example.test"]), st.sampled_from([None, "t-1", "t-2"])
        ),
        min_size=1,
        max_size=6,
    )
)
def test_imports_make_one_conversation_per_thread_ref_else_per_sender(
    client: TestClient, imports: list[tuple[str, str | None]]
) -> None:
    client.post("/_emulator/reset")
    conversations: dict[tuple[str, str], str] = {}
    for index, (sender, thread_ref) in enumerate(imports):
        metadata = {"is_inbound": True, **({"thread_ref": thread_ref} if thread_ref else {})}
        message = imported(client, external_id=f"x{index}", sender={"handle": sender}, metadata=metadata)
        key = ("ref", thread_ref) if thread_ref else ("sender", sender)
        found = conversation(client, message)["id"]
        assert conversations.setdefault(key, found) == found
    assert len(set(conversations.values())) == len(conversations)


def test_reset_and_a_restored_snapshot_forget_the_external_ids_imported_since(client: TestClient) -> None:
    snapshot = client.post("/_emulator/snapshot").json()["snapshot_id"]
    import_message(client, HISTORY)
    assert client.post(f"/_emulator/snapshots/{snapshot}/restore").status_code == 200
    assert message_count(client) == 0
    # Imported again: the restored state never saw the first import.
    import_message(client, HISTORY)
    assert message_count(client) == 1
    assert client.post("/_emulator/reset").status_code == 204
    import_message(client, HISTORY)
    assert message_count(client) == 1


def test_a_conversation_id_of_another_channel_takes_the_message_into_that_conversation(
    client: TestClient,
) -> None:
    sms = read_message(
        client, post_message(client, {"sender": {"handle": "+15550101234"}, "body": "hi"}, "cha_1a02")
    )
    target = conversation(client, sms)
    message = imported(client, conversation_id=target["id"])
    assert conversation(client, message)["id"] == target["id"]
    listed = client.get(target["_links"]["related"]["messages"]).json()["_results"]
    assert [item["id"] for item in listed] == [message["id"], sms["id"]]
    assert all(status < 300 for status in crawl(client, [target["_links"]["self"]]).values())
