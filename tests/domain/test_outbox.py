"""Outbox: attempts planned on the clock, undo-window cancels, retries with backoff, redelivery rules."""

from __future__ import annotations

import pytest

from emulator.domain.deliveries import Delivery
from emulator.domain.messages import Message, Recipient
from emulator.domain.outbox import FINAL_ERROR_TYPES, Outbox, Send, backoff
from emulator.domain.rules import Refusal

T = 1_800_000_000.0


def message(number: int = 1, status: str = "pending") -> Message:
    return Message(
        id=f"msg_{number}",
        message_uid=f"uid{number}",
        channel_id="cha_1",
        conversation_id="cnv_1",
        seq=number,
        created_at=T,
        is_inbound=False,
        subject=None,
        body_source="<p>Hi</p>",
        body_format="html",
        recipients=(Recipient("visitor", "to"),),
        delivery_status=status,  # type: ignore[arg-type]
    )


def delivery(send: Send, error_type: str | None) -> Delivery:
    return Delivery(
        f"dlv_{send.attempt}", send.message.id, "cha_1", "cnv_1", send.attempt, "http://x.test/", {}, "", {},
        T, 1.0, "failed" if error_type else "sent", error_type, "Why." if error_type else None,
    )  # fmt: skip


def test_attempts_come_due_in_time_order_and_mark_their_messages_sending() -> None:
    outbox = Outbox()
    late, early = message(1), message(2)
    outbox.plan(Send(late), T + 5)
    outbox.plan(Send(early), T + 1)
    assert outbox.next_at() == T + 1
    assert outbox.due(T) == []
    assert [send.message for send in outbox.due(T + 5)] == [early, late]
    assert (early.delivery_status, late.delivery_status, outbox.in_flight) == ("sending", "sending", 2)
    assert outbox.next_at() is None


def test_a_message_cancelled_in_its_undo_window_never_comes_due() -> None:
    outbox = Outbox()
    cancelled = message()
    outbox.plan(Send(cancelled), T + 5)
    outbox.cancel(cancelled)
    assert cancelled.delivery_status == "cancelled"
    assert outbox.due(T + 5) == [] and outbox.in_flight == 0
    with pytest.raises(Refusal, match="is cancelled: only a pending message can be cancelled") as refused:
        outbox.cancel(cancelled)
    assert refused.value.kind == "conflict"


def test_a_retryable_failure_plans_the_next_attempt_after_its_backoff() -> None:
    outbox = Outbox()
    sending = message()
    outbox.plan(Send(sending), T)
    [first] = outbox.due(T)
    assert outbox.record(first, delivery(first, "internal_error"), retries=2, now=T) is False
    assert outbox.next_at() == T + 0.2 and sending.delivery_status == "sending"
    [second] = outbox.due(T + 0.2)
    assert second.attempt == 2
    assert outbox.record(second, delivery(second, "too_many_requests"), retries=2, now=T + 0.2) is False
    assert outbox.next_at() == pytest.approx(T + 0.6)
    retry_at = outbox.next_at()
    assert retry_at is not None
    [third] = outbox.due(retry_at)
    assert outbox.record(third, delivery(third, "internal_error"), retries=2, now=retry_at) is True
    assert [item.attempt for item in outbox.deliveries] == [1, 2, 3] and outbox.in_flight == 0


@pytest.mark.parametrize("error_type", sorted(FINAL_ERROR_TYPES))
def test_failures_the_integration_stated_on_purpose_are_final(error_type: str) -> None:
    outbox = Outbox()
    outbox.plan(Send(message()), T)
    [send] = outbox.due(T)
    assert outbox.record(send, delivery(send, error_type), retries=5, now=T) is True
    assert outbox.next_at() is None


def test_a_success_is_final_and_journalled() -> None:
    outbox = Outbox()
    outbox.plan(Send(message()), T)
    [send] = outbox.due(T)
    recorded = delivery(send, None)
    assert outbox.record(send, recorded, retries=5, now=T) is True
    assert outbox.delivery(recorded.id) is recorded and outbox.delivery("dlv_nope") is None


def test_backoff_doubles_up_to_five_seconds() -> None:
    assert [backoff(attempt) for attempt in range(1, 8)] == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0])


@pytest.mark.parametrize("status", ["pending", "sending"])
def test_redelivery_waits_for_the_message_to_finish(status: str) -> None:
    outbox = Outbox()
    on_its_way = message(status=status)
    with pytest.raises(Refusal, match=f"is {status}: wait for it to finish first"):
        outbox.redeliver(on_its_way, delivery(Send(on_its_way), None))
    assert outbox.in_flight == 0


@pytest.mark.parametrize("status", ["sent", "failed", "cancelled"])
def test_redelivery_of_a_finished_message_is_a_new_first_attempt(status: str) -> None:
    outbox = Outbox()
    finished = message(status=status)
    earlier = delivery(Send(finished), None)
    send = outbox.redeliver(finished, earlier)
    assert (send.attempt, send.redelivery_of, finished.delivery_status) == (1, earlier.id, "sending")
    assert outbox.in_flight == 1
    assert send.retry() == Send(finished, 2, earlier.id)


def test_finish_and_abandon() -> None:
    done = message(status="sending")
    Outbox.finish(done, "internal_error", "It broke.")
    assert (done.delivery_status, done.error_type, done.error_reason) == (
        "failed",
        "internal_error",
        "It broke.",
    )
    Outbox.finish(done, None, None)
    assert (done.delivery_status, done.error_type, done.error_reason) == ("sent", None, None)
    outbox = Outbox()
    outbox.plan(Send(message()), T)
    outbox.due(T)
    outbox.abandon()
    assert outbox.in_flight == 0
