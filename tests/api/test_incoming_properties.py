"""incoming_messages, property-based, through HTTP: valid custom messages read back as sent, invalid ones
get 400 with details (never a 5xx), threading holds under 20 concurrent clients, and multipart bodies
read back like the same JSON. (Handle normalisation: tests/domain/test_handles.py.)"""

from __future__ import annotations

import asyncio
import copy
import json
import string
import uuid
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator.app import create_app, create_store
from emulator.contract import custom_messages
from emulator.domain.handles import normalise_handle
from emulator.domain.rendering import html_to_text, render_markdown
from emulator.schemas import validator
from tests.conftest import AUTH, CHANNEL, SMS_CHANNEL, LiveServer, make_config

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _client() -> TestClient:
    """One in-process emulator for every example (fixtures cannot be shared with @given)."""
    config = make_config()
    return TestClient(create_app(config, create_store(config)), base_url="http://emulator.test", headers=AUTH)


def _post(document: Any) -> httpx.Response:
    # Serialised by hand: httpx sends no body at all for json=None.
    return _client().post(
        f"/channels/{CHANNEL}/incoming_messages",
        content=json.dumps(document),
        headers={"content-type": "application/json"},
    )


def _read(uid: str) -> dict[str, Any]:
    answer = _client().get(f"/messages/alt:uid:{uid}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _state() -> tuple[int, int]:
    ready = _client().get("/_emulator/readyz").json()
    return ready["messages"], ready["pending_messages"]


# -- (a) any valid custom message is accepted and reads back as sent ---------------------------------


def _as_json_reads_it(document: Any) -> Any:
    """What any JSON parser gives back for the document as sent: integers past 64 bits become floats."""
    return json.loads(
        json.dumps(document),
        parse_int=lambda text: int(text) if -(2**63) <= int(text) < 2**64 else float(text),
    )


@PROPERTY_SETTINGS
@given(document=custom_messages())
def test_any_valid_custom_message_is_accepted_and_reads_back(document: dict[str, Any]) -> None:
    assert validator("custom-message").is_valid(document)
    answer = _post(document)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "accepted"
    message = _read(answer.json()["message_uid"])

    sender = document["sender"]
    sender_recipient, channel_recipient = message["recipients"]
    assert sender_recipient["role"] == "from"
    assert sender_recipient["handle"] == normalise_handle(sender["handle"])
    assert sender_recipient["name"] == (sender.get("name") or None)
    assert channel_recipient["role"] == "to"
    assert message["subject"] == (document.get("subject") or "")
    body_format = document.get("body_format") or "markdown"
    expected_body = render_markdown(document["body"]) if body_format == "markdown" else document["body"]
    assert message["body"] == expected_body
    assert message["text"] == html_to_text(expected_body)
    assert message["type"] == "custom"
    assert message["is_inbound"] is True
    assert message["attachments"] == []

    metadata = document.get("metadata") or {}
    expected_metadata = {}
    if metadata.get("thread_ref"):
        expected_metadata["thread_ref"] = metadata["thread_ref"]
    if metadata.get("headers"):
        expected_metadata["headers"] = _as_json_reads_it(metadata["headers"])
    assert message["metadata"] == expected_metadata


# -- (b) any invalid variant gets 400 with details, never a 5xx --------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_OPTIONAL_FIELDS = ["/subject", "/body_format", "/metadata", "/sender/name", "/sender/contact_id"]
_ALL_FIELDS = [
    "/sender",
    "/body",
    "/sender/handle",
    "/metadata/thread_ref",
    "/metadata/headers",
    *_OPTIONAL_FIELDS,
]


def _set(document: dict[str, Any], pointer: str, value: Any) -> bool:
    *parents, last = pointer.strip("/").split("/")
    node: Any = document
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return False
    if value is _DROP:
        node.pop(last, None)
    else:
        node[last] = value
    return True


_DROP = object()


@st.composite
def _invalid_documents(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["drop", "retype", "non-object", "anything"]))
    if kind == "non-object":
        return draw(_json_values.filter(lambda value: not isinstance(value, dict)))
    if kind == "anything":
        return draw(_json_values)
    document = copy.deepcopy(draw(custom_messages()))
    if kind == "drop":
        _set(document, draw(st.sampled_from(["/sender", "/body", "/sender/handle"])), _DROP)
    else:
        for pointer in draw(st.lists(st.sampled_from(_ALL_FIELDS), min_size=1, max_size=3, unique=True)):
            _set(document, pointer, draw(_json_values))
    return document


@PROPERTY_SETTINGS
@given(document=_invalid_documents())
def test_any_invalid_custom_message_gets_400_with_details(document: Any) -> None:
    schema = validator("custom-message")
    assume(not schema.is_valid(document))
    before = _state()
    answer = _post(document)
    assert answer.status_code == 400, answer.text
    error = answer.json()["_error"]
    assert error["status"] == 400
    assert error["title"] == "Bad request"
    assert error["details"] == schema.details(document)
    assert all(": " in line and line.startswith("/") for line in error["details"])
    assert _state() == before


@PROPERTY_SETTINGS
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(["application/json", "application/json; charset=utf-8"]),
)
def test_arbitrary_bytes_get_a_clear_4xx(body: bytes, content_type: str) -> None:
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    assume(not validator("custom-message").is_valid(parsed))
    before = _state()
    answer = _client().post(
        f"/channels/{CHANNEL}/incoming_messages", content=body, headers={"content-type": content_type}
    )
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()["_error"]
    assert error["status"] == answer.status_code
    assert error["message"]
    assert _state() == before


@PROPERTY_SETTINGS
@given(body=st.binary(max_size=300), content_type=st.sampled_from(["text/plain", "", "multipart/form-data"]))
def test_bytes_of_other_content_types_never_get_a_5xx(body: bytes, content_type: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    answer = _client().post(f"/channels/{CHANNEL}/incoming_messages", content=body, headers=headers)
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["_error"]["status"] == answer.status_code


# -- (c) threading invariants with 20 concurrent clients on a live server ----------------------------

# Handles that normalise to the same phone number must thread together.
_SENDERS = [
    "ada@example.test",
    "grace@example.test",
    "(555) 010-1234",
    "555-010-1234",
    "+1 555 010 1234",
    "lin",
]
_REFS = [None, None, "session-1", "session-2", "ada@example.test"]
_posts = st.lists(
    st.tuples(st.sampled_from([CHANNEL, SMS_CHANNEL]), st.sampled_from(_SENDERS), st.sampled_from(_REFS)),
    min_size=200,
    max_size=200,
)


def _thread_key(channel: str, handle: str, ref: str | None) -> tuple[str, str, str]:
    return (channel, "ref", ref) if ref else (channel, "sender", normalise_handle(handle))


async def _post_concurrently(base: str, posts: list[tuple[str, str, str | None]]) -> list[str]:
    uids: list[str] = [""] * len(posts)

    async def one_client(start: int) -> None:
        async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30) as client:
            for index in range(start, len(posts), 20):
                channel, handle, ref = posts[index]
                document: dict[str, Any] = {"sender": {"handle": handle}, "body": f"message {index}"}
                if ref:
                    document["metadata"] = {"thread_ref": ref}
                answer = await client.post(f"/channels/{channel}/incoming_messages", json=document)
                assert answer.status_code == 202, answer.text
                uids[index] = answer.json()["message_uid"]

    await asyncio.gather(*(one_client(start) for start in range(20)))
    return uids


async def _read_all(base: str, uids: list[str]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30) as client:
        answers = await asyncio.gather(*(client.get(f"/messages/alt:uid:{uid}") for uid in uids))
    assert [answer.status_code for answer in answers] == [200] * len(uids), "a message was lost"
    return [answer.json() for answer in answers]


def _conversation_message_ids(client: httpx.Client, conversation_id: str) -> list[str]:
    found: list[str] = []
    url: str | None = f"/conversations/{conversation_id}/messages?limit=100"
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.text
        found += [message["id"] for message in page.json()["_results"]]
        url = page.json()["_pagination"]["next"]
    return found


@pytest.fixture(scope="module")
def threading_server() -> Iterator[str]:
    """One live emulator for every example (each starts from a reset), not a server per example."""
    server = LiveServer.emulator(make_config(validate_responses=False))
    yield server.start()
    server.stop()


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(posts=_posts)
def test_threading_holds_with_20_concurrent_clients(
    threading_server: str, posts: list[tuple[str, str, str | None]]
) -> None:
    base = threading_server
    httpx.post(f"{base}/_emulator/reset", timeout=30).raise_for_status()
    uids = asyncio.run(_post_concurrently(base, posts))
    assert len(set(uids)) == len(posts)
    messages = asyncio.run(_read_all(base, uids))

    conversations_by_key: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    expected_ids: dict[str, set[str]] = defaultdict(set)
    for (channel, handle, ref), message in zip(posts, messages, strict=True):
        conversation_id = message["_links"]["related"]["conversation"].rsplit("/", 1)[1]
        conversations_by_key[_thread_key(channel, handle, ref)].add(conversation_id)
        expected_ids[conversation_id].add(message["id"])
    # No split: one conversation per thread key; no merge: different keys never share one.
    assert all(len(ids) == 1 for ids in conversations_by_key.values()), conversations_by_key
    owners = [next(iter(ids)) for ids in conversations_by_key.values()]
    assert len(owners) == len(set(owners))

    with httpx.Client(base_url=base, headers=AUTH, timeout=30) as client:
        for conversation_id, ids in expected_ids.items():
            listed = _conversation_message_ids(client, conversation_id)
            assert len(listed) == len(set(listed))
            assert set(listed) == ids
        assert client.get("/_emulator/readyz").json()["messages"] == len(posts)


# -- (d) multipart bracketed keys -------------------------------------------------------------------

_KEY_ALPHABET = string.ascii_letters + string.digits + "-_."
_form_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@st.composite
def _form_documents(draw: st.DrawFn) -> dict[str, Any]:
    """CustomMessage documents whose leaves are all text, so a form can carry them."""
    sender = {"handle": draw(st.text(_KEY_ALPHABET + "@+ ()", min_size=1, max_size=20))}
    if draw(st.booleans()):
        sender["name"] = draw(_form_text)
    document: dict[str, Any] = {"sender": sender, "body": draw(_form_text)}
    if draw(st.booleans()):
        document["subject"] = draw(_form_text)
    if draw(st.booleans()):
        document["body_format"] = draw(st.sampled_from(["markdown", "html"]))
    metadata: dict[str, Any] = {}
    if draw(st.booleans()):
        metadata["thread_ref"] = draw(st.text(_KEY_ALPHABET, min_size=1, max_size=20))
    if draw(st.booleans()):
        keys = st.text(_KEY_ALPHABET, min_size=1, max_size=10)
        metadata["headers"] = draw(st.dictionaries(keys, _form_text, min_size=1, max_size=4))
    if metadata:
        document["metadata"] = metadata
    return document


def _form_fields(document: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    fields = []
    for key, value in document.items():
        name = f"{prefix}[{key}]" if prefix else key
        fields += _form_fields(value, name) if isinstance(value, dict) else [(name, value)]
    return fields


def _multipart(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode()
        + b"\r\n"
        for name, value in fields
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _comparable(message: dict[str, Any]) -> dict[str, Any]:
    keep = ("subject", "blurb", "body", "text", "metadata", "type", "is_inbound", "attachments")
    recipients = [(r["handle"], r["name"], r["role"]) for r in message["recipients"]]
    return {"recipients": recipients, **{key: message[key] for key in keep}}


@PROPERTY_SETTINGS
@given(document=_form_documents())
def test_multipart_with_bracketed_keys_reads_back_like_the_same_json(document: dict[str, Any]) -> None:
    body, content_type = _multipart(_form_fields(document))
    as_form = _client().post(
        f"/channels/{CHANNEL}/incoming_messages", content=body, headers={"content-type": content_type}
    )
    assert as_form.status_code == 202, as_form.text
    as_json = _post(document)
    assert as_json.status_code == 202, as_json.text
    form_message = _read(as_form.json()["message_uid"])
    json_message = _read(as_json.json()["message_uid"])
    assert _comparable(form_message) == _comparable(json_message)
    # Same sender (or same thread_ref) and same channel: the same conversation.
    assert (
        form_message["_links"]["related"]["conversation"] == json_message["_links"]["related"]["conversation"]
    )
