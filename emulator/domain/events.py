"""What happened to each conversation, as Front's conversation events tell it."""

from __future__ import annotations

from typing import Literal, NamedTuple

EventType = Literal[
    "inbound",
    "outbound",
    "out_reply",
    "assign",
    "unassign",
    "archive",
    "reopen",
    "trash",
    "restore",
    "sending_error",
    "tag",
    "untag",
    "comment",
]
# Who caused it, in Front's source `_meta.type` words: the API (a token), a teammate, or the contact.
EventSource = Literal["api", "teammate", "recipient"]
EventTarget = Literal["message", "teammate", "tag", "comment"]


class Event(NamedTuple):
    id: str
    type: EventType
    conversation_id: str
    emitted_at: float
    source: EventSource
    # The teammate behind a `teammate` source.
    teammate_id: str | None = None
    target: EventTarget | None = None
    target_id: str | None = None


# What the log keeps of an event: Event's fields in a plain tuple. One event is recorded per message
# created, and the garbage collector stops tracking a plain tuple of strings and numbers once it has seen
# it (an Event, a tuple subclass, or a dataclass it would walk at every collection of its generation).
_Row = tuple[str, EventType, str, float, EventSource, str | None, EventTarget | None, str | None]


class EventLog:
    """Every conversation's events in the order they happened. Ids come from the log's own counter, not
    the seeded id source, so recording events leaves every other id and uid as it was."""

    def __init__(self) -> None:
        self._by_conversation: dict[str, list[_Row]] = {}
        # Event `evt_<n>` is the n-th: a list, not a dict by id.
        self._in_order: list[_Row] = []

    def record(
        self,
        type: EventType,
        conversation_id: str,
        emitted_at: float,
        source: EventSource = "api",
        teammate_id: str | None = None,
        target: EventTarget | None = None,
        target_id: str | None = None,
    ) -> None:
        row: _Row = (
            f"evt_{len(self._in_order) + 1}",
            type,
            conversation_id,
            emitted_at,
            source,
            teammate_id,
            target,
            target_id,
        )
        self._in_order.append(row)
        events = self._by_conversation.get(conversation_id)
        if events is None:
            self._by_conversation[conversation_id] = [row]
        else:
            events.append(row)

    def event(self, event_id: str) -> Event | None:
        number = event_id.removeprefix("evt_")
        # Bounded before int(): Python refuses to convert strings of thousands of digits.
        if not (number.isascii() and number.isdecimal() and len(number) <= 18):
            return None
        index = int(number) - 1
        if not 0 <= index < len(self._in_order):
            return None
        row = self._in_order[index]
        # "evt_01" names no event.
        return Event._make(row) if row[0] == event_id else None

    def of_conversation(self, conversation_id: str) -> list[Event]:
        """Newest first, as Front lists them."""
        return list(map(Event._make, reversed(self._by_conversation.get(conversation_id, []))))


_OPEN = frozenset({"unassigned", "assigned"})


def status_change_event(old: str, new: str) -> EventType | None:
    """The event of a conversation going from status `old` to `new`; None when it stays where it was."""
    if old == new or (old in _OPEN and new in _OPEN):
        return None
    if new == "archived":
        return "archive"
    if new == "deleted":
        return "trash"
    return "restore" if old == "deleted" else "reopen"
