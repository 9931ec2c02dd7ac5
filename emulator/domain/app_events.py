"""The event journal: every event the emulator sent to an app (authorization, delete, message_imported),
with its signature input and the app's answer, as the delivery journal keeps deliveries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from emulator.domain.documents import attributes
from emulator.domain.journalled_requests import JournalledRequest
from emulator.domain.workspace import Channel

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


def find_app_event(events: Iterable[AppEvent], event_id: str) -> AppEvent | None:
    return next((event for event in events if event.id == event_id), None)


def applications_of_channels(events: Iterable[AppEvent], channels: Iterable[Channel]) -> dict[str, str]:
    """The App UID of each application channel, removed ones too (their authorization event names it)."""
    found = {event.channel_id: event.application_uid for event in events if event.channel_id}
    found.update({channel.id: channel.application for channel in channels if channel.application})
    return found
