"""emulator.contract.strategies: the documents stay inside schemas/ and agree with each other, invalid
ones name their defect, and the emulator accepts every generated CustomMessage."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from emulator.contract import custom_messages, invalid_custom_messages, outgoing_messages
from emulator.schemas import validator
from tests.conftest import CHANNEL

FAST = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(outgoing_messages())
def test_outgoing_messages_are_valid_and_coherent(message):
    validator("message").check(message)
    link = message["_links"]["self"]
    assert link.endswith("/messages/" + message["id"])
    assert [r["role"] for r in message["recipients"]][:2] == ["from", "to"]
    for attachment in message["attachments"]:
        assert attachment["url"] == f"{link}/download/{attachment['id']}"
    replied_to = message["_links"]["related"].get("message_replied_to")
    in_reply_to = message["metadata"].get("headers", {}).get("in_reply_to")
    assert (replied_to is None) == (in_reply_to is None)
    if replied_to:
        assert replied_to.endswith("/" + in_reply_to)


@FAST
@given(custom_messages())
def test_custom_messages_are_valid(document):
    validator("custom-message").check(document)


@FAST
@given(invalid_custom_messages())
def test_invalid_custom_messages_are_refused_naming_the_defect(pair):
    document, pointer = pair
    details = validator("custom-message").details(document)
    assert any(line.startswith((pointer + ":", pointer + "/")) for line in details), (pointer, details)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(custom_messages())
def test_the_emulator_accepts_every_generated_custom_message(client, document):
    answer = client.post(f"/channels/{CHANNEL}/incoming_messages", json=document)
    assert answer.status_code == 202, answer.text
