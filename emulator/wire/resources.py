"""The resources around a channel in Front's JSON: contacts, inboxes, conversation events, seen receipts."""

from __future__ import annotations

from typing import Any

from emulator.domain.comments import Comment
from emulator.domain.contacts import Contact
from emulator.domain.events import Event
from emulator.domain.inboxes import Inbox
from emulator.domain.store import Store
from emulator.wire.serialise import conversation_json, message_json, tag_json, teammate_json


def contact_json(base: str, contact: Contact) -> dict[str, Any]:
    link = f"{base}/contacts/{contact.id}"
    return {
        "_links": {"self": link, "related": {"conversations": f"{link}/conversations"}},
        "id": contact.id,
        # Front names a contact after its handle until someone gives it a name.
        "name": contact.name or contact.handles[0].handle,
        "description": contact.description,
        "links": list(contact.links),
        "lists": [],
        "handles": [{"handle": item.handle, "source": item.source} for item in contact.handles],
        "custom_fields": contact.custom_fields,
        "is_private": False,
    }


def inbox_json(base: str, inbox: Inbox) -> dict[str, Any]:
    link = f"{base}/inboxes/{inbox.id}"
    return {
        "_links": {
            "self": link,
            "related": {
                "channels": f"{link}/channels",
                "conversations": f"{link}/conversations",
                "teammates": f"{link}/teammates",
            },
        },
        "id": inbox.id,
        "name": inbox.name,
        "is_private": False,
        "is_public": True,
        "custom_fields": {},
    }


def event_json(base: str, event: Event, store: Store) -> dict[str, Any]:
    conversation = store.conversation(event.conversation_id)
    assert conversation is not None, "conversations are never removed"
    source: dict[str, Any] = {"_meta": {"type": event.source}}
    teammate = store.teammate(event.teammate_id) if event.teammate_id else None
    if teammate is not None:
        source["data"] = teammate_json(base, teammate)
    document: dict[str, Any] = {
        "_links": {"self": f"{base}/events/{event.id}"},
        "id": event.id,
        "type": event.type,
        "emitted_at": event.emitted_at,
        "source": source,
        "conversation": conversation_json(base, conversation, store),
    }
    target = _target_data(base, event, store)
    if target is not None:
        document["target"] = {"_meta": {"type": event.target}, "data": target}
    return document


def _target_data(base: str, event: Event, store: Store) -> dict[str, Any] | None:
    if event.target == "message" and event.target_id:
        message = store.message(event.target_id)
        return message_json(base, message, store) if message else None
    if event.target == "teammate" and event.target_id:
        teammate = store.teammate(event.target_id)
        return teammate_json(base, teammate) if teammate else None
    if event.target == "tag" and event.target_id:
        found = store.tags.tag(event.target_id)
        return tag_json(base, found) if found else None
    if event.target == "comment" and event.target_id:
        comment = store.comments.comment(event.target_id)
        return comment_json(base, comment, store) if comment else None
    return None


def comment_json(base: str, comment: Comment, store: Store) -> dict[str, Any]:
    link = f"{base}/comments/{comment.id}"
    author = store.teammate(comment.author_id)
    assert author is not None, "a comment's author is a teammate of the workspace"
    return {
        "_links": {
            "self": link,
            "related": {
                "conversation": f"{base}/conversations/{comment.conversation_id}",
                "mentions": f"{link}/mentions",
            },
        },
        "id": comment.id,
        "author": teammate_json(base, author),
        "body": comment.body,
        "posted_at": comment.posted_at,
        "attachments": [],
        "is_pinned": comment.is_pinned,
    }
