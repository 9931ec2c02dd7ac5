"""The delivery journal: one record per POST to an Outgoing URL, with everything needed to debug it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from emulator.domain.documents import attributes
from emulator.domain.journalled_requests import JournalledRequest

Outcome = Literal["sent", "failed"]
# The delivery journal keeps the newest deliveries up to both bounds (the oldest are dropped and counted),
# and of each answer at most MAX_JOURNALLED_DELIVERY_ANSWER_BYTES (flagged `truncated`).
MAX_DELIVERIES = 10_000
MAX_DELIVERY_JOURNAL_BYTES = 32 * 1024 * 1024
MAX_JOURNALLED_DELIVERY_ANSWER_BYTES = 64 * 1024
# The id of an attempt not yet journalled: the store gives it a real one when it records it.
UNRECORDED = ""


@dataclass(frozen=True, slots=True)
class Delivery(JournalledRequest):
    id: str
    message_id: str
    channel_id: str
    conversation_id: str
    attempt: int
    duration_ms: float
    outcome: Outcome
    error_type: str | None
    answer_headers: dict[str, str] | None = None
    # Whether the answer matched schemas/outgoing-answer.json; None when there was no answer at all.
    answer_conforms: bool | None = None
    redelivery_of: str | None = None
    # The integration answered more than the journal keeps: `answer_body` is its beginning.
    answer_truncated: bool = False

    @property
    def retained_bytes(self) -> int:
        """What this record holds, roughly: its bodies, URL, reason and headers."""
        headers = sum(len(name) + len(value) for name, value in self.request_headers.items())
        headers += sum(len(name) + len(value) for name, value in (self.answer_headers or {}).items())
        return (
            len(self.request_body)
            + len(self.answer_body or "")
            + len(self.url)
            + len(self.reason or "")
            + headers
        )

    def as_document(self) -> dict[str, Any]:
        return {
            **attributes(self, "id", "message_id", "channel_id", "conversation_id", "attempt", "url"),
            "request": self.request_document(),
            "answer": None
            if self.answer_status is None
            else {
                "status": self.answer_status,
                "headers": self.answer_headers,
                "body": self.answer_body,
                "truncated": self.answer_truncated,
            },
            **attributes(
                self,
                "started_at",
                "duration_ms",
                "outcome",
                "error_type",
                "reason",
                "answer_conforms",
                "redelivery_of",
            ),
        }
