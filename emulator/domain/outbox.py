"""The outbox: outbound messages from the undo window to a final delivery status, and the delivery journal.

Every attempt is planned in one queue ordered by the injected clock (the first one when the undo window
ends, each retry after its backoff), so a frozen clock reaches retries through `advance` exactly as it
reaches the end of the undo window. The outbox only holds state; the store wraps every change so that its
listeners are told, and a snapshot or reset covers the outbox with the rest of the store.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from emulator.domain.deliveries import Delivery
from emulator.domain.messages import Message
from emulator.domain.rules import Refusal

# Failures the integration stated on purpose are final; anything else may be retried.
FINAL_ERROR_TYPES = frozenset({"bad_request", "authentication_required", "forbidden", "not_found"})
FIRST_BACKOFF_SECONDS = 0.2
MAX_BACKOFF_SECONDS = 5.0


def backoff(attempt: int) -> float:
    """Seconds between failed attempt `attempt` and the next one: doubling from 0.2 s, at most 5 s."""
    return min(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)


@dataclass(frozen=True, slots=True)
class Send:
    """One planned attempt to deliver `message`: the first (attempt 1), a retry, or a redelivery."""

    message: Message
    attempt: int = 1
    redelivery_of: str | None = None

    def retry(self) -> Send:
        return Send(self.message, self.attempt + 1, self.redelivery_of)


class Outbox:
    def __init__(self) -> None:
        self._queue: list[tuple[float, int, Send]] = []
        self._order = 0
        self.deliveries: list[Delivery] = []
        self._deliveries_by_id: dict[str, Delivery] = {}
        # Attempts handed to the delivery engine and not finished yet (a snapshot refuses while any are).
        self.in_flight = 0

    def plan(self, send: Send, at: float) -> None:
        self._order += 1
        heapq.heappush(self._queue, (at, self._order, send))

    def next_at(self) -> float | None:
        return self._queue[0][0] if self._queue else None

    def due(self, now: float) -> list[Send]:
        """Attempts whose time has come, their messages now `sending`, counted in flight."""
        queue = self._queue
        due = []
        while queue and queue[0][0] <= now:
            _, _, send = heapq.heappop(queue)
            message = send.message
            if send.attempt == 1 and send.redelivery_of is None:
                # A message cancelled in its undo window stays in the queue until its time comes.
                if message.delivery_status != "pending":
                    continue
                message.delivery_status = "sending"
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

    def redeliver(self, message: Message, delivery: Delivery) -> Send:
        """A new first attempt for a message whose delivery has ended; refused while it is on its way."""
        if message.delivery_status in ("pending", "sending"):
            raise Refusal(
                "conflict", f"Message {message.id} is {message.delivery_status}: wait for it to finish first"
            )
        message.delivery_status = "sending"
        self.in_flight += 1
        return Send(message, 1, delivery.id)

    def record(self, send: Send, delivery: Delivery, retries: int, now: float) -> bool:
        """Journal one finished attempt; True when the message is done, False when a retry is planned."""
        self.in_flight -= 1
        self.deliveries.append(delivery)
        self._deliveries_by_id[delivery.id] = delivery
        if delivery.outcome == "sent" or delivery.error_type in FINAL_ERROR_TYPES or send.attempt > retries:
            return True
        self.plan(send.retry(), now + backoff(send.attempt))
        return False

    @staticmethod
    def finish(message: Message, error_type: str | None, reason: str | None) -> None:
        """The final state of a send: sent, or failed with Front's error type and a human reason."""
        message.delivery_status = "sent" if error_type is None else "failed"
        message.error_type = error_type
        message.error_reason = reason

    def abandon(self) -> None:
        """An attempt ended without a journalled delivery (the emulator failed or stopped before sending)."""
        self.in_flight -= 1

    def delivery(self, delivery_id: str) -> Delivery | None:
        return self._deliveries_by_id.get(delivery_id)
