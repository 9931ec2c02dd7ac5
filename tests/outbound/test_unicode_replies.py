"""Property: whatever Unicode a teammate writes and a contact's handle holds, the integration gets a payload
whose signature verifies the way Node integrations check it (re-serialising the parsed JSON), under both
signing schemes, and whose body, subject and recipients are what was sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.domain.handles import normalise_handle
from emulator.signing import SCHEMES
from tests.conftest import CHANNEL, post_message, read_message
from tests.helpers import final_state
from tests.receiver import Receiver, start_receiver

SECRET = "front-emulator-api-secret"
ADA = "tea_1b01"

# Any Unicode but lone surrogates, which a JSON request cannot carry as text; control characters included.
UNICODE = st.characters(exclude_categories=("Cs",))
texts = st.text(UNICODE, min_size=1, max_size=200)
handles = st.text(UNICODE, min_size=1, max_size=80)


@pytest.fixture(params=SCHEMES)
def receiver(request) -> Iterator[Receiver]:
    receiver, server = start_receiver(SECRET, scheme=request.param)
    yield receiver
    server.stop()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=texts,
    reply_subject=st.one_of(st.none(), texts),
    inbound_subject=texts,
    handle=handles,
    sender_name=st.one_of(st.none(), texts),
)
def test_any_unicode_reply_arrives_signed_and_intact(
    client, receiver, body, reply_subject, inbound_subject, handle, sender_name
):
    patched = client.patch(
        f"/channels/{CHANNEL}",
        json={"settings": {"webhook_url": receiver.url, "signing_scheme": receiver.scheme}},
    )
    assert patched.status_code == 204, patched.text
    sender = {"handle": handle} if sender_name is None else {"handle": handle, "name": sender_name}
    inbound = read_message(
        client, post_message(client, {"sender": sender, "subject": inbound_subject, "body": "Hello"})
    )
    conversation_id = inbound["_links"]["related"]["conversation"].rsplit("/", 1)[1]
    contact_handle = next(r["handle"] for r in inbound["recipients"] if r["role"] == "from")
    assert contact_handle == normalise_handle(handle)

    document = {"body": body, "author_id": ADA}
    if reply_subject is not None:
        document["subject"] = reply_subject
    answer = client.post(f"/conversations/{conversation_id}/messages", json=document)
    assert answer.status_code == 202, answer.text
    message_id = read_message(client, answer.json()["message_uid"])["id"]
    state = final_state(client, message_id)
    assert state["delivery_status"] == "sent", state

    [request] = [r for r in receiver.wait_for(1) if r.document["id"] == message_id]
    assert request.signature_ok, request.signature_problem
    if receiver.scheme == "sha256-timestamp":
        assert request.headers["x-front-request-timestamp"].isdigit()
    payload = request.document
    assert payload["body"] == body
    # Without a subject a reply takes its conversation's (the first inbound message's: handles recur
    # across examples, so the conversation may be an earlier example's).
    conversation_subject = client.get(f"/conversations/{conversation_id}").json()["subject"]
    assert payload["subject"] == (reply_subject or conversation_subject)
    assert [(r["role"], r["handle"]) for r in payload["recipients"]] == [
        ("from", "livechat@example.test"),
        ("to", contact_handle),
    ]
    # Exactly the bytes the journal says were sent.
    [delivery] = client.get("/_emulator/deliveries", params={"message_id": message_id}).json()["_results"]
    assert delivery["request"]["body"].encode("utf-8") == request.body
