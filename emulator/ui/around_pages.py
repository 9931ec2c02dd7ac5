"""The inspector's pages for the Front around a channel: a contact with its handles and conversations, an
inbox with its channels and conversations, and a conversation's events timeline.

Each asks the domain functions Front's own routes ask (GET /contacts/{id}/conversations,
GET /inboxes/{id}/…, GET /conversations/{id}/events), so a page and the API never disagree.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.events import Event
from emulator.domain.inbox import in_inbox, newest_first, of_contact, teammate_name
from emulator.domain.inboxes import channels_of, teammates_of
from emulator.domain.messages import Conversation
from emulator.domain.store import Store
from emulator.ui.error_pages import page
from emulator.ui.state import store_of
from emulator.ui.templating import render
from emulator.wire.lookups import contact_or_404, inbox_or_404

# How much of a comment the timeline quotes.
COMMENT_EXCERPT_CHARS = 120
SOURCE_LABELS = {"api": "the API", "recipient": "the contact", "teammate": "a teammate"}


def conversation_rows(store: Store, conversations: list[Conversation]) -> list[dict[str, Any]]:
    """A list's rows, newest first: each conversation with its channel, assignee's name and last message
    (`last`), and what Front shows of that message (`shown`: a call's message shows the call now)."""
    rows = []
    for conversation in newest_first(conversations):
        assignee = store.teammate(conversation.assignee_id) if conversation.assignee_id else None
        last = store.last_message(conversation)
        rows.append(
            {
                "conversation": conversation,
                "channel": store.channel(conversation.channel_id),
                "assignee": teammate_name(assignee),
                "last": last,
                "shown": store.calls.shown(last) if last is not None else None,
            }
        )
    return rows


@page
async def contact_page(request: Request) -> Response:
    store = store_of(request)
    contact = contact_or_404(store, request.path_params["contact_id"])
    context = {
        "contact": contact,
        "rows": conversation_rows(store, of_contact(store.conversations(), contact.id)),
    }
    return render(request, "contact.html", context)


@page
async def inbox_page(request: Request) -> Response:
    store = store_of(request)
    inbox = inbox_or_404(store, request.path_params["inbox_id"])
    context = {
        "inbox": inbox,
        "channels": channels_of(store.workspace, inbox),
        "teammates": [teammate_name(teammate) for teammate in teammates_of(store.workspace, inbox)],
        "rows": conversation_rows(store, in_inbox(store.conversations(), inbox)),
    }
    return render(request, "inbox.html", context)


def _target(store: Store, event: Event) -> dict[str, Any] | None:
    """What the event is about, as the timeline shows it: a label, and the message it links to."""
    if event.target is None or event.target_id is None:
        return None
    if event.target == "message":
        return {"kind": "message", "id": event.target_id, "label": event.target_id}
    if event.target == "teammate":
        label = teammate_name(store.teammate(event.target_id)) or event.target_id
        return {"kind": "teammate", "id": event.target_id, "label": label}
    if event.target == "tag":
        tag = store.tags.tag(event.target_id)
        return {"kind": "tag", "id": event.target_id, "label": tag.name if tag else event.target_id}
    comment = store.comments.comment(event.target_id)
    excerpt = comment.body[:COMMENT_EXCERPT_CHARS] if comment else event.target_id
    return {"kind": event.target, "id": event.target_id, "label": excerpt}


def events_timeline(store: Store, conversation: Conversation) -> list[dict[str, Any]]:
    """The conversation's events as GET /conversations/{id}/events lists them: newest first."""
    timeline = []
    for event in store.events.of_conversation(conversation.id):
        teammate = store.teammate(event.teammate_id) if event.teammate_id else None
        timeline.append(
            {
                "event": event,
                "source": teammate_name(teammate) or SOURCE_LABELS[event.source],
                "target": _target(store, event),
            }
        )
    return timeline
