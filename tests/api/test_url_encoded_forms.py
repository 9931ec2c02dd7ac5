"""A teammate's message sent as application/x-www-form-urlencoded is read as UTF-8, strictly: percent
escapes that are not UTF-8, or raw bytes that are not, are refused with a 400 (as the same bytes in JSON
are), never stored as U+FFFD or Latin-1 mojibake."""

from __future__ import annotations

import pytest

from tests.conftest import post_message, read_message
from tests.control.helpers import MESSAGE, conversation_id_of, error_of

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def conversation(client) -> str:
    return conversation_id_of(client, post_message(client, MESSAGE))


def test_a_form_in_utf8_is_read_as_sent(client, conversation):
    answer = client.post(
        f"/conversations/{conversation}/messages",
        content=b"body=caf%C3%A9+cr%C3%A8me&author_id=tea_1b01",
        headers=FORM,
    )
    assert answer.status_code == 202, answer.text
    assert read_message(client, answer.json()["message_uid"])["text"] == "café crème"


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (b"body=caf%E9", ["body: its percent-encoded bytes are not UTF-8 (%C3%A9 is é)"]),
        (b"b%FFdy=hello", ["b%FFdy: its percent-encoded bytes are not UTF-8 (%C3%A9 is é)"]),
    ],
)
def test_percent_escapes_that_are_not_utf8_are_refused(client, conversation, body, details):
    answer = client.post(f"/conversations/{conversation}/messages", content=body, headers=FORM)
    assert answer.status_code == 400
    assert error_of(answer)["details"] == details
    assert len(client.get(f"/conversations/{conversation}/messages").json()["_results"]) == 1


def test_raw_bytes_that_are_not_utf8_are_refused(client, conversation):
    answer = client.post(f"/conversations/{conversation}/messages", content=b"body=caf\xe9", headers=FORM)
    assert answer.status_code == 400
    assert error_of(answer)["message"].startswith("Request body is not valid UTF-8")
