"""The outbox: outbound messages from the undo window to a final delivery status, and the delivery journal.

Every attempt is planned in one queue ordered by the injected clock (the first one when the undo window
ends, each retry after its backoff), so a frozen clock reaches retries through `advance` exactly as it
reaches the end of the undo window. The store holds its outbox: a snapshot or reset covers it with the rest
of the state, and every change goes to the store's listeners.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from emulator.domain.deliveries import MAX_DELIVERIES, MAX_DELIVERY_JOURNAL_BYTES, Delivery
from emulator.domain.messages import Message
from emulator.domain.rules import Refusal

if TYPE_CHECKING:
    from emulator.domain.store import Store

# Failures the integration stated on purpose are final; anything else may be retried.
FINAL_ERROR_TYPES = frozenset({"bad_request", "authentication_required", "forbidden", "not_found"})
FIRST_BACKOFF_SECONDS = 0.2
MAX_BACKOFF_SECONDS = 5.0


def backoff(attempt: int) -> float:
    """Seconds between failed attempt `attempt` and the next one: doubling from 0.2 s, at most 5 s."""
    return min(FIRST_BACKOFF_SECONDS * 2.0 ** (attempt - 1), MAX_BACKOFF_SECONDS)


@dataclass(frozen=True, slots=True)
class Send:
    """One planned attempt to deliver `message`: the first (attempt 1), a retry, or a redelivery."""

    message: Message
    attempt: int = 1
    redelivery_of: str | None = None

    def retry(self) -> Send:
        return Send(self.message, self.attempt + 1, self.redelivery_of)


class Outbox:
    """The outbound lifecycle of one store's state: a reset or seed gives the store a new outbox, a
    snapshot copies it with the rest, and every change tells the store's listeners."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._queue: list[tuple[float, int, Send]] = []
        self._order = 0
        # The delivery journal, oldest first: the newest MAX_DELIVERIES within MAX_DELIVERY_JOURNAL_BYTES.
        self.deliveries: deque[Delivery] = deque()
        self._deliveries_by_id: dict[str, Delivery] = {}
        self.retained_bytes = 0
        # Deliveries dropped from the journal to keep it within its bounds.
        self.dropped = 0
        # Every delivery journalled, dropped ones included, by what a wait filters on: POST /_emulator/wait
        # counts from here, so the journal's bounds cannot make it undercount.
        self.recorded: Counter[tuple[str, str, str, str]] = Counter()
        # Attempts handed to the delivery engine and not finished yet (a snapshot refuses while any are).
        self.in_flight = 0

    def copy(self) -> Outbox:
        """The same outbox state in new containers, sharing the (immutable) deliveries and sends."""
        twin = Outbox(self._store)
        twin._queue = list(self._queue)
        twin._order = self._order
        twin.deliveries = deque(self.deliveries)
        twin._deliveries_by_id = dict(self._deliveries_by_id)
        twin.retained_bytes = self.retained_bytes
        twin.dropped = self.dropped
        twin.recorded = Counter(self.recorded)
        twin.in_flight = self.in_flight
        return twin

    def plan(self, send: Send, at: float) -> None:
        self._order += 1
        heapq.heappush(self._queue, (at, self._order, send))

    def next_at(self) -> float | None:
        return self._queue[0][0] if self._queue else None

    def due_sends(self) -> list[Send]:
        """Attempts whose time has come by the store's clock, counted in flight; messages past their
        undo window become `sending`."""
        queue = self._queue
        now = self._store.clock.now()
        due = []
        while queue and queue[0][0] <= now:
            _, _, send = heapq.heappop(queue)
            message = send.message
            if send.attempt == 1 and send.redelivery_of is None:
                # A message cancelled in its undo window stays in the queue until its time comes.
                if message.delivery_status != "pending":
                    continue
                message.delivery_status = "sending"
                self._store.notify_message(message)
            due.append(send)
        self.in_flight += len(due)
        return due

    def cancel(self, message: Message) -> None:
        if message.delivery_status != "pending":
            shown = message.delivery_status or "an inbound message"
            raise Refusal(
                "conflict", f"Message {message.id} is {shown}: only a pending message can be cancelled"
            )
        message.delivery_status = "cancelled"
        self._store.notify_message(message)

    def redeliver(self, delivery: Delivery) -> Send:
        """A new first attempt for the message of `delivery`; refused while that message is on its way."""
        message = self._store.message(delivery.message_id)
        if message is None:
            raise Refusal("not_found", f"Message {delivery.message_id} not found")
        if message.delivery_status in ("pending", "sending"):
            raise Refusal(
                "conflict", f"Message {message.id} is {message.delivery_status}: wait for it to finish first"
            )
        message.delivery_status = "sending"
        self.in_flight += 1
        self._store.notify_message(message)
        return Send(message, 1, delivery.id)

    def record(self, generation: int, send: Send, attempt: Delivery, retries: int) -> Delivery | None:
        """Journal a finished attempt under a fresh id; plan the retry, or finish the message.

        `generation` is the store's when the attempt began: after a reset, seed or restore the attempt
        belongs to a state that is gone, so it is dropped (None) and takes no id from the new state."""
        store = self._store
        if generation != store.generation:
            return None
        self.in_flight -= 1
        delivery = replace(attempt, id=store.ids.new_id("dlv"))
        self._journal(delivery)
        store.notify(
            "delivery_recorded",
            channel_id=delivery.channel_id,
            conversation_id=delivery.conversation_id,
            message_id=delivery.message_id,
            delivery_id=delivery.id,
        )
        final = delivery.error_type in FINAL_ERROR_TYPES or send.attempt > retries
        if delivery.outcome == "failed" and not final:
            self.plan(send.retry(), store.clock.now() + backoff(send.attempt))
        else:
            self._finish(send.message, delivery.error_type, delivery.reason)
        return delivery

    def recorded_count(
        self,
        channel_id: str | None = None,
        conversation_id: str | None = None,
        message_id: str | None = None,
        outcome: str | None = None,
    ) -> int:
        """How many deliveries were journalled (dropped ones too) that match every filter given."""
        wanted = [
            (index, value)
            for index, value in enumerate((channel_id, conversation_id, message_id, outcome))
            if value is not None
        ]
        return sum(
            count
            for key, count in self.recorded.items()
            if all(key[index] == value for index, value in wanted)
        )

    def _journal(self, delivery: Delivery) -> None:
        key = (delivery.channel_id, delivery.conversation_id, delivery.message_id, delivery.outcome)
        self.recorded[key] += 1
        deliveries = self.deliveries
        deliveries.append(delivery)
        self._deliveries_by_id[delivery.id] = delivery
        self.retained_bytes += delivery.retained_bytes
        # The newest delivery is always kept, however large.
        while len(deliveries) > 1 and (
            len(deliveries) > MAX_DELIVERIES or self.retained_bytes > MAX_DELIVERY_JOURNAL_BYTES
        ):
            oldest = deliveries.popleft()
            del self._deliveries_by_id[oldest.id]
            self.retained_bytes -= oldest.retained_bytes
            self.dropped += 1

    def abandon(self, generation: int, send: Send, reason: str) -> None:
        """An attempt that ended before any request was made: its message fails with `reason`."""
        if generation != self._store.generation:
            return
        self.in_flight -= 1
        self._finish(send.message, "internal_error", reason)

    def report_failure(self, message: Message, reason: str) -> None:
        """An application channel's app reports (after the fact) that a message it took was not delivered."""
        self._finish(message, "internal_error", reason)

    def _finish(self, message: Message, error_type: str | None, reason: str | None) -> None:
        """The final state of a send: sent, or failed with Front's error type and a human reason."""
        message.delivery_status = "sent" if error_type is None else "failed"
        message.error_type = error_type
        message.error_reason = reason
        if error_type is not None:
            conversation = self._store.conversation(message.conversation_id)
            assert conversation is not None, "conversations are never removed"
            # A failed send must be seen: bring the conversation back to the inbox.
            conversation.reopen()
            conversation.updated_at = round(self._store.clock.now(), 3)
            self._store.events.record(
                "sending_error", conversation.id, conversation.updated_at, "api", None, "message", message.id
            )
        self._store.notify_message(message)

    def delivery(self, delivery_id: str) -> Delivery | None:
        return self._deliveries_by_id.get(delivery_id)
