"""The delivery journal: one record per POST to an Outgoing URL, with everything needed to debug it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Outcome = Literal["sent", "failed"]
# The id of an attempt not yet journalled: the store gives it a real one when it records it.
UNRECORDED = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    message_id: str
    channel_id: str
    conversation_id: str
    attempt: int
    url: str
    request_headers: dict[str, str]
    request_body: str
    # What the signature was computed from: scheme, key name, timestamp, and the signed string's length.
    signature_input: dict[str, Any]
    started_at: float
    duration_ms: float
    outcome: Outcome
    error_type: str | None
    reason: str | None
    answer_status: int | None = None
    answer_headers: dict[str, str] | None = None
    answer_body: str | None = None
    # Whether the answer matched schemas/outgoing-answer.json; None when there was no answer at all.
    answer_conforms: bool | None = None
    redelivery_of: str | None = None

    def as_document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message_id": self.message_id,
            "channel_id": self.channel_id,
            "conversation_id": self.conversation_id,
            "attempt": self.attempt,
            "url": self.url,
            "request": {
                "headers": self.request_headers,
                "body": self.request_body,
                "signature_input": self.signature_input,
            },
            "answer": None
            if self.answer_status is None
            else {"status": self.answer_status, "headers": self.answer_headers, "body": self.answer_body},
            "started_at": self.started_at,
            "duration_ms": self.duration_ms,
            "outcome": self.outcome,
            "error_type": self.error_type,
            "reason": self.reason,
            "answer_conforms": self.answer_conforms,
            "redelivery_of": self.redelivery_of,
        }
