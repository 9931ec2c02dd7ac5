"""Faults around a delivery, through HTTP: retries on a frozen clock, URLs the HTTP client cannot send to,
and a reset or seed while an attempt is in flight."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from emulator.domain.clock import FrozenClock
from tests.conftest import post_message, read_message
from tests.helpers import use_receiver, wait_for_deliveries, wait_until_idle
from tests.receiver import Answer, Receiver

START = 1_800_000_000.0
ADA = "tea_1b01"
# Accepted by the old `^https?://` check, refused by the HTTP client that sends.
UNSENDABLE_URLS = ["http://[::1", "http://example.test/a\x00b", "http://example.test/\r\nfile:///etc/passwd"]


def reply_to_new_conversation(client: Any) -> dict[str, Any]:
    inbound = read_message(client, post_message(client, {"sender": {"handle": "visitor-1"}, "body": "Hi"}))
    conversation_id = inbound["_links"]["related"]["conversation"].rsplit("/", 1)[1]
    answer = client.post(
        f"/conversations/{conversation_id}/messages", json={"body": "Hello", "author_id": ADA}
    )
    assert answer.status_code == 202, answer.text
    return read_message(client, answer.json()["message_uid"])


def state_of(client: Any, message_id: str) -> dict[str, Any]:
    return client.get(f"/_emulator/messages/{message_id}").json()


def test_retries_follow_the_frozen_clock(make_client, receiver):
    answers = iter([Answer(status=503, body=b""), Answer(status=500, body=b""), Answer()])
    receiver.answer = lambda document: next(answers)
    client = make_client(clock=FrozenClock(START))
    use_receiver(client, receiver, retries=2)
    message = reply_to_new_conversation(client)
    assert [d["attempt"] for d in wait_for_deliveries(client, 1)] == [1]
    # The retry is planned at now + 0.2 s on the emulator's clock, which does not move by itself: real
    # time passing (the old engine slept 0.2 s of it) brings no second attempt.
    assert state_of(client, message["id"])["delivery_status"] == "sending"
    early = client.post("/_emulator/wait", json={"deliveries": 2, "timeout": 1}).json()
    assert (early["satisfied"], early["deliveries"]) == (False, 1)
    client.post("/_emulator/clock/advance", json={"seconds": 0.2})
    assert [d["attempt"] for d in wait_for_deliveries(client, 2)] == [1, 2]
    assert state_of(client, message["id"])["delivery_status"] == "sending"
    client.post("/_emulator/clock/advance", json={"seconds": 0.4})
    deliveries = wait_for_deliveries(client, 3)
    assert [(d["attempt"], d["outcome"]) for d in deliveries] == [(1, "failed"), (2, "failed"), (3, "sent")]
    assert [d["started_at"] for d in deliveries] == pytest.approx([START, START + 0.2, START + 0.6])
    assert state_of(client, message["id"])["delivery_status"] == "sent"


def _seed_with_outgoing_url(client: Any, url: str) -> None:
    workspace = client.get("/_emulator/workspace").json()
    workspace["channels"][0]["settings"]["webhook_url"] = url
    assert client.post("/_emulator/seed", json={"workspace": workspace}).status_code == 200


@pytest.mark.parametrize("url", UNSENDABLE_URLS)
def test_an_unsendable_outgoing_url_fails_the_message_instead_of_leaving_it_sending(client, url):
    _seed_with_outgoing_url(client, url)
    message = reply_to_new_conversation(client)
    [delivery] = wait_for_deliveries(client, 1)
    assert (delivery["outcome"], delivery["error_type"], delivery["answer"]) == (
        "failed",
        "internal_error",
        None,
    )
    state = state_of(client, message["id"])
    assert (state["delivery_status"], state["error_type"]) == ("failed", "internal_error")
    assert "is invalid" in state["error_reason"]
    cancel = client.post(f"/_emulator/messages/{message['id']}/cancel")
    assert cancel.status_code == 409 and "is failed" in cancel.json()["_error"]["message"]
    again = client.post(f"/_emulator/deliveries/{delivery['id']}/redeliver")
    assert again.status_code == 200, again.text
    assert again.json()["outcome"] == "failed" and again.json()["redelivery_of"] == delivery["id"]
    assert state_of(client, message["id"])["delivery_status"] == "failed"


@pytest.mark.parametrize("url", UNSENDABLE_URLS)
def test_patch_refuses_an_outgoing_url_the_emulator_could_not_send_to(client, url):
    answer = client.patch("/channels/cha_1a01", json={"settings": {"webhook_url": url}})
    assert answer.status_code == 400, answer.text
    [detail] = answer.json()["_error"]["details"]
    assert detail.startswith("/settings/webhook_url: not a URL the emulator can send to")
    [channel, *_] = client.get("/_emulator/workspace").json()["channels"]
    assert channel["settings"]["webhook_url"] != url


class _Held:
    """A receiver answer that waits until the test lets it go."""

    def __init__(self, answer: Answer) -> None:
        self.released = threading.Event()
        self.answer = answer

    def __call__(self, document: Any) -> Answer:
        self.released.wait(10)
        return self.answer


def _one_exchange(client: Any, receiver: Receiver) -> tuple[str, str]:
    use_receiver(client, receiver)
    message = reply_to_new_conversation(client)
    [delivery] = wait_for_deliveries(client, 1)
    return message["id"], delivery["id"]


@pytest.mark.parametrize("answer", [Answer(), Answer(status=500, body=b"")], ids=["sent", "failed"])
@pytest.mark.parametrize("restart", ["reset", "seed"])
def test_an_attempt_from_before_a_reset_or_seed_is_dropped(make_client, receiver, caplog, answer, restart):
    fresh = make_client()
    expected = _one_exchange(fresh, receiver)
    receiver.received.clear()

    client = make_client()
    held = _Held(answer)
    receiver.answer = held
    use_receiver(client, receiver, retries=1)
    reply_to_new_conversation(client)
    receiver.wait_for(1)
    if restart == "reset":
        assert client.post("/_emulator/reset").status_code == 204
    else:
        workspace = client.get("/_emulator/workspace").json()
        assert client.post("/_emulator/seed", json={"workspace": workspace}).status_code == 200
    with caplog.at_level(logging.WARNING, logger="emulator"):
        held.released.set()
        wait_until_idle(client)
    assert caplog.records == []
    assert client.get("/_emulator/deliveries").json()["_results"] == []
    # The fresh state hands out exactly the ids a never-used emulator does: nothing took one from it.
    receiver.answer = lambda document: Answer()
    assert _one_exchange(client, receiver) == expected


def test_a_restore_during_an_attempt_drops_it(client, receiver):
    snapshot = client.post("/_emulator/snapshot").json()["snapshot_id"]
    held = _Held(Answer())
    receiver.answer = held
    use_receiver(client, receiver)
    message = reply_to_new_conversation(client)
    receiver.wait_for(1)
    assert client.post("/_emulator/snapshot").status_code == 409
    assert client.post(f"/_emulator/snapshots/{snapshot}/restore").status_code == 200
    held.released.set()
    wait_until_idle(client)
    assert client.get("/_emulator/deliveries").json()["_results"] == []
    assert client.get(f"/messages/{message['id']}").status_code == 404
