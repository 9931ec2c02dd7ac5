"""The event journal: every event the emulator sent to an app (authorization, delete, message_imported),
with its signature input and the app's answer, as the delivery journal keeps deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from emulator.domain.documents import attributes
from emulator.domain.journalled_requests import JournalledRequest

EventOutcome = Literal["accepted", "refused", "failed"]


@dataclass(frozen=True, slots=True)
class AppEvent(JournalledRequest):
    id: str
    type: str
    application_uid: str
    channel_id: str | None
    method: str
    # accepted: the app answered as Front expects; refused: it answered something else; failed: no answer.
    outcome: EventOutcome
    message_id: str | None = None

    def as_document(self) -> dict[str, Any]:
        return {
            **attributes(self, "id", "type", "application_uid", "channel_id", "message_id"),
            "request": self.request_document(method=self.method, url=self.url),
            "answer": None
            if self.answer_status is None
            else {"status": self.answer_status, "body": self.answer_body},
            **attributes(self, "started_at", "outcome", "reason"),
        }
