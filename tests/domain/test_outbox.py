"""Outbox: attempts planned on the clock, undo-window cancels, retries with backoff, redelivery rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from emulator.domain.deliveries import Delivery
from emulator.domain.messages import Message
from emulator.domain.outbox import FINAL_ERROR_TYPES, Send, backoff
from emulator.domain.rules import Refusal
from emulator.domain.store import Store
from tests.domain.helpers import START, attempt_of, conversation_of, inbound, make_store, outbound


def pending(store: Store, number: int = 1) -> Message:
    return outbound(store, conversation_of(store, inbound(store, f"visitor-{number}")))


def attempt(send: Send, error_type: str | None) -> Delivery:
    return attempt_of(send.message, send.attempt, error_type, "Why." if error_type else None)


def advance(store: Store, seconds: float) -> None:
    store.clock.advance(seconds)  # type: ignore[attr-defined]


def test_attempts_come_due_at_the_end_of_the_undo_window_in_time_order() -> None:
    store = make_store()
    first, second = pending(store, 1), pending(store, 2)
    outbox = store.outbox
    assert [send.message for send in outbox.due_sends()] == [first, second]
    assert (first.delivery_status, second.delivery_status, outbox.in_flight) == ("sending", "sending", 2)
    assert outbox.next_at() is None


def test_a_message_cancelled_in_its_undo_window_never_comes_due() -> None:
    store = make_store()
    message = pending(store)
    outbox = store.outbox
    outbox.cancel(message)
    assert message.delivery_status == "cancelled"
    assert outbox.due_sends() == [] and outbox.in_flight == 0
    with pytest.raises(Refusal, match="is cancelled: only a pending message can be cancelled") as refused:
        outbox.cancel(message)
    assert refused.value.kind == "conflict"


def test_a_retryable_failure_plans_the_next_attempt_after_its_backoff() -> None:
    store = make_store()
    message = pending(store)
    outbox = store.outbox
    [first] = outbox.due_sends()
    assert outbox.record(store.generation, first, attempt(first, "internal_error"), retries=2) is not None
    assert outbox.next_at() == START + 0.2 and message.delivery_status == "sending"
    assert outbox.due_sends() == []
    advance(store, 0.2)
    [second] = outbox.due_sends()
    assert second.attempt == 2
    outbox.record(store.generation, second, attempt(second, "too_many_requests"), retries=2)
    assert outbox.next_at() == pytest.approx(START + 0.6)
    advance(store, 0.4)
    [third] = outbox.due_sends()
    outbox.record(store.generation, third, attempt(third, "internal_error"), retries=2)
    assert [item.attempt for item in outbox.deliveries] == [1, 2, 3] and outbox.in_flight == 0
    assert (message.delivery_status, message.error_type) == ("failed", "internal_error")
    assert outbox.next_at() is None


@pytest.mark.parametrize("error_type", sorted(FINAL_ERROR_TYPES))
def test_failures_the_integration_stated_on_purpose_are_final(error_type: str) -> None:
    store = make_store()
    message = pending(store)
    [send] = store.outbox.due_sends()
    store.outbox.record(store.generation, send, attempt(send, error_type), retries=5)
    assert store.outbox.next_at() is None and message.delivery_status == "failed"


def test_a_success_is_final_and_journalled_under_a_fresh_id() -> None:
    store = make_store()
    message = pending(store)
    [send] = store.outbox.due_sends()
    recorded = store.outbox.record(store.generation, send, attempt(send, None), retries=5)
    assert recorded is not None and recorded.id.startswith("dlv_")
    assert store.outbox.delivery(recorded.id) is recorded and store.outbox.delivery("dlv_nope") is None
    assert (message.delivery_status, message.error_type, message.error_reason) == ("sent", None, None)


def test_backoff_doubles_up_to_five_seconds() -> None:
    assert [backoff(number) for number in range(1, 8)] == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0])


def test_redelivery_waits_for_the_message_to_finish_then_is_a_new_first_attempt() -> None:
    store = make_store()
    message = pending(store)
    outbox = store.outbox
    [send] = outbox.due_sends()
    earlier = outbox.record(store.generation, send, attempt(send, "forbidden"), retries=0)
    assert earlier is not None
    again = outbox.redeliver(earlier)
    assert (again.attempt, again.redelivery_of, message.delivery_status) == (1, earlier.id, "sending")
    with pytest.raises(Refusal, match="is sending: wait for it to finish first"):
        outbox.redeliver(earlier)
    assert outbox.in_flight == 1
    assert again.retry() == Send(message, 2, earlier.id)


def test_abandoning_an_attempt_fails_its_message_with_the_reason() -> None:
    store = make_store()
    message = pending(store)
    [send] = store.outbox.due_sends()
    store.outbox.abandon(store.generation, send, "The emulator shut down.")
    assert (message.delivery_status, message.error_reason, store.outbox.in_flight) == (
        "failed",
        "The emulator shut down.",
        0,
    )
    assert not store.deliveries


def test_the_delivery_journal_keeps_the_newest_within_its_bytes_and_counts_the_dropped(monkeypatch) -> None:
    monkeypatch.setattr("emulator.domain.outbox.MAX_DELIVERY_JOURNAL_BYTES", 10_000)
    store = make_store()
    recorded = []
    for number in range(5):
        message = pending(store, number)
        advance(store, 0)
        [send] = store.outbox.due_sends()
        large = replace(attempt(send, None), request_body="p" * 4_000)
        recorded.append(store.outbox.record(store.generation, send, large, retries=0))
    outbox = store.outbox
    assert len(outbox.deliveries) == 2 and outbox.dropped == 3 and outbox.retained_bytes <= 10_000
    assert list(outbox.deliveries) == recorded[3:]
    # A dropped delivery is gone from the lookup too.
    assert [store.delivery(delivery.id) for delivery in recorded if delivery] == [
        None,
        None,
        None,
        *recorded[3:],
    ]
    assert message.delivery_status == "sent"
