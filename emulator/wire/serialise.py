"""Domain objects in the exact shape of Front's API responses."""

from __future__ import annotations

from typing import Any

from emulator.domain.calls import Call
from emulator.domain.inboxes import inbox_of_channel
from emulator.domain.messages import Attachment, Conversation, Message, Recipient
from emulator.domain.store import Store
from emulator.domain.tags import Tag
from emulator.domain.workspace import Channel, Teammate


def recipient_json(base: str, recipient: Recipient) -> dict[str, Any]:
    contact = f"{base}/contacts/{recipient.contact_id}" if recipient.contact_id else None
    return {
        "_links": {"related": {"contact": contact}},
        "name": recipient.name,
        "handle": recipient.handle,
        "role": recipient.role,
    }


def teammate_json(base: str, teammate: Teammate) -> dict[str, Any]:
    link = f"{base}/teammates/{teammate.id}"
    return {
        "_links": {
            "self": link,
            "related": {"inboxes": f"{link}/inboxes", "conversations": f"{link}/conversations"},
        },
        "id": teammate.id,
        "email": teammate.email,
        "username": teammate.username,
        "first_name": teammate.first_name,
        "last_name": teammate.last_name,
        "is_admin": teammate.is_admin,
        "is_available": teammate.is_available,
        "is_blocked": teammate.is_blocked,
        "type": "user",
        "custom_fields": {},
    }


def message_json(base: str, message: Message, store: Store) -> dict[str, Any]:
    link = f"{base}/messages/{message.id}"
    metadata: dict[str, Any] = {}
    if message.thread_ref is not None:
        metadata["thread_ref"] = message.thread_ref
    if message.headers is not None:
        metadata["headers"] = message.headers
    if message.external is not None:
        metadata["external_id"] = message.external.external_id
        metadata["external_conversation_id"] = message.external.external_conversation_id
        if message.external.referenced_message_external_id is not None:
            metadata["referenced_message_external_id"] = message.external.referenced_message_external_id
    elif message.import_external_id is not None:
        metadata["external_id"] = message.import_external_id
    author = store.teammate(message.author_id) if message.author_id else None
    text = message.text
    related = {
        "conversation": f"{base}/conversations/{message.conversation_id}",
        "message_seen": f"{link}/seen",
    }
    if message.replied_to_id is not None:
        related["message_replied_to"] = f"{base}/messages/{message.replied_to_id}"
    document = {
        "_links": {"self": link, "related": related},
        "id": message.id,
        "message_uid": message.message_uid,
        "type": "custom",
        "is_inbound": message.is_inbound,
        "draft_mode": None,
        "error_type": message.error_type,
        "version": f"{message.message_uid}-{message.seq}-{int(message.created_at * 1000)}",
        "created_at": message.created_at,
        "subject": message.subject or "",
        "blurb": message.blurb,
        "author": teammate_json(base, author) if author else None,
        "recipients": [recipient_json(base, recipient) for recipient in message.recipients],
        "body": message.body,
        "text": text,
        "attachments": [attachment_json(link, attachment) for attachment in message.attachments],
        "metadata": metadata,
    }
    call = store.calls.of_message(message.id)
    return document if call is None else _call_message_json(document, link, call)


def attachment_json(message_link: str, attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "url": f"{message_link}/download/{attachment.id}",
        "content_type": attachment.content_type,
        "size": attachment.size,
        "metadata": {"is_inline": False},
    }


def _call_message_json(document: dict[str, Any], link: str, call: Call) -> dict[str, Any]:
    """A call's message as the call is now (emulator/domain/calls.py): type `call`, its recordings as
    attachments, its id and duration in `metadata` (Front's Message has both fields)."""
    document.update(type="call", body=call.body, text=call.text, blurb=call.blurb)
    document["attachments"] = [attachment_json(link, attachment) for attachment in call.attachments]
    document["metadata"]["external_id"] = call.external_call_id
    if call.duration is not None:
        document["metadata"]["duration"] = call.duration
    return document


def conversation_json(base: str, conversation: Conversation, store: Store) -> dict[str, Any]:
    link = f"{base}/conversations/{conversation.id}"
    assignee = store.teammate(conversation.assignee_id) if conversation.assignee_id else None
    last = store.last_message(conversation)
    document: dict[str, Any] = {
        "_links": {
            "self": link,
            "related": {
                "events": f"{link}/events",
                "followers": f"{link}/followers",
                "messages": f"{link}/messages",
                "comments": f"{link}/comments",
                "inboxes": f"{link}/inboxes",
                "last_message": f"{base}/messages/{last.id}?referer=conversation"
                if last
                else f"{link}/messages",
            },
        },
        "id": conversation.id,
        "type": "conversation",
        "subject": conversation.subject or "",
        "status": conversation.status,
        "ticket_ids": [],
        "assignee": teammate_json(base, assignee) if assignee else None,
        "recipient": recipient_json(base, conversation.contact),
        "tags": [tag_json(base, tag) for tag in store.tags.of_conversation(conversation.id)],
        "links": [],
        "custom_fields": {},
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "is_private": False,
        "scheduled_reminders": [],
        "metadata": {},
    }
    if conversation.waiting_since is not None:
        document["waiting_since"] = conversation.waiting_since
    return document


def tag_json(base: str, tag: Tag) -> dict[str, Any]:
    link = f"{base}/tags/{tag.id}"
    return {
        "_links": {
            "self": link,
            "related": {
                "conversations": f"{link}/conversations",
                "owner": None,
                "parent_tag": None,
                "children": None,
            },
        },
        "id": tag.id,
        "name": tag.name,
        "description": tag.description,
        "highlight": tag.highlight,
        "is_private": False,
        "is_visible_in_conversation_lists": tag.is_visible_in_conversation_lists,
        "created_at": tag.created_at,
        "updated_at": tag.created_at,
    }


def channel_json(base: str, channel: Channel, store: Store) -> dict[str, Any]:
    inbox = inbox_of_channel(store.workspace, channel.id)
    document = {
        "_links": {
            "self": f"{base}/channels/{channel.id}",
            "related": {"inbox": f"{base}/inboxes/{inbox.id}" if inbox else None},
        },
        "id": channel.id,
        "name": channel.name,
        "address": channel.address,
        "type": channel.type,
        "send_as": channel.address,
        "settings": {
            "undo_send_time": channel.settings.undo_send_time,
            "all_teammates_can_reply": channel.settings.all_teammates_can_reply,
        },
        "is_private": False,
        # Front reports a custom channel without an Outgoing URL as not fully configured.
        "is_valid": not (channel.is_custom or channel.is_application)
        or channel.settings.webhook_url is not None,
    }
    if channel.is_application:
        document["status"] = channel.status
    return document
