"""Which conversations a view of an inbox or a contact shows, and in what order: the inspector's lists and
Front's routes (GET /contacts/{id}/conversations, GET /inboxes/{id}/conversations) ask here."""

from __future__ import annotations

from collections.abc import Iterable

from emulator.domain.calls import Call
from emulator.domain.messages import Conversation, ConversationStatus, Message
from emulator.domain.workspace import Inbox, Teammate

# "Open" in Front's sense: in the inbox, assigned or not (neither archived nor deleted).
OPEN_STATUSES: frozenset[ConversationStatus] = frozenset({"unassigned", "assigned"})
# What a list can be filtered by: a status, or "open" for any of OPEN_STATUSES.
STATUS_FILTERS = ("open", "unassigned", "assigned", "archived", "deleted")


def teammate_name(teammate: Teammate | None) -> str:
    """How a teammate is shown and searched: the full name, else the email; "" for nobody."""
    if teammate is None:
        return ""
    return f"{teammate.first_name} {teammate.last_name}".strip() or teammate.email


def status_matches(wanted: str, status: ConversationStatus) -> bool:
    """`wanted` is "" (any), "open", or one status."""
    if not wanted:
        return True
    if wanted == "open":
        return status in OPEN_STATUSES
    return status == wanted


def query_matches(query: str, conversation: Conversation, last: Message | Call | None, assignee: str) -> bool:
    """A case-insensitive substring of the contact, subject, id, assignee or latest message's text (as
    Front shows it: CallBook.shown)."""
    if not query:
        return True
    contact = conversation.contact
    fields = (
        contact.handle,
        contact.name,
        conversation.subject,
        conversation.id,
        assignee,
        last.text if last else None,
    )
    return query.casefold() in " ".join(filter(None, fields)).casefold()


def newest_first(conversations: Iterable[Conversation]) -> list[Conversation]:
    """Most recently updated first; a stable sort, so equals keep the order they came in."""
    return sorted(conversations, key=lambda conversation: conversation.updated_at, reverse=True)


def of_contact(conversations: Iterable[Conversation], contact_id: str) -> list[Conversation]:
    """The conversations whose contact is `contact_id` (what GET /contacts/{id}/conversations lists)."""
    return [conversation for conversation in conversations if conversation.contact.contact_id == contact_id]


def in_inbox(conversations: Iterable[Conversation], inbox: Inbox) -> list[Conversation]:
    """The conversations of the inbox's channels (what GET /inboxes/{id}/conversations lists)."""
    return [conversation for conversation in conversations if conversation.channel_id in inbox.channel_ids]
