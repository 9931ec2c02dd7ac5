"""emulator.contract.application_strategies and the forgeries on app events: the events are shaped as the
emulator sends them, and every forgery of one is refused by a correct verifier."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from emulator.contract import autoreply_events, imported_events, message_events
from emulator.contract.forgeries import FORGERIES, forgeries_for
from emulator.outbound.javascript_json import stringify_bytes
from emulator.schemas import validator
from emulator.signing import SignatureError, signature_headers, verify

BOUNDED = settings(
    max_examples=10, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SECRET = "app-secret"


@BOUNDED
@given(message_events())
def test_a_message_event_carries_a_message_and_its_conversations_ids(event: dict[str, Any]) -> None:
    assert list(event) == ["type", "payload", "metadata"] and event["type"] == "message"
    validator("message").check(event["payload"])
    threads = event["metadata"]["external_conversation_ids"]
    replying = "headers" in event["payload"]["metadata"]
    assert (1 <= len(threads) <= 2) if replying else threads == []


@BOUNDED
@given(autoreply_events())
def test_an_autoreply_has_no_id_and_type_auto_reply(event: dict[str, Any]) -> None:
    payload = event["payload"]
    assert event["type"] == "message_autoreply" and payload["type"] == "auto_reply"
    assert "id" not in payload and "message_uid" not in payload and payload["is_inbound"] is False
    # An answer to the contact's message, which the app synced into Front.
    assert [r["role"] for r in payload["recipients"]] == ["from", "to"]
    assert event["metadata"]["external_conversation_ids"] == [payload["metadata"]["external_conversation_id"]]


@BOUNDED
@given(imported_events())
def test_an_imported_event_names_the_synced_messages_ids(event: dict[str, Any]) -> None:
    validator("message").check(event["payload"])
    metadata, thread = event["metadata"], event["payload"]["metadata"]["external_conversation_id"]
    assert metadata == {"external_conversation_id": thread, "external_conversation_ids": [thread]}
    assert event["payload"]["metadata"]["external_id"]
    if event["payload"]["is_inbound"]:
        assert event["payload"]["author"] is None


EVENT = {"type": "message", "payload": {"id": "msg_1", "text": "Hello"}, "metadata": {}}


@pytest.mark.parametrize("name", forgeries_for("sha256-timestamp"))
def test_each_forgery_of_an_app_event_is_refused(name: str) -> None:
    body = stringify_bytes(EVENT)
    sent_body, headers = FORGERIES[name].forge(EVENT, body, SECRET, "sha256-timestamp")
    verify(signature_headers(body, SECRET, "sha256-timestamp"), body, SECRET, "sha256-timestamp")
    with pytest.raises(SignatureError):
        verify(headers, sent_body, SECRET, "sha256-timestamp")


def test_the_altered_body_changes_the_events_message_text() -> None:
    body = stringify_bytes(EVENT)
    altered, _ = FORGERIES["altered_body"].forge(EVENT, body, SECRET, "sha256-timestamp")
    assert altered.startswith(b'{"type":"message","payload":{"id":"msg_1","text":"Hello PS: wire')
