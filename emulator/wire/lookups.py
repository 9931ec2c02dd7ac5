"""Find a resource by the reference a client gave, or answer Front's 404: one wording everywhere."""

from __future__ import annotations

from typing import TypeVar

from emulator.domain.assignment import find_teammate
from emulator.domain.channel_routes import MessageRoute, route_refusal
from emulator.domain.comments import Comment
from emulator.domain.contacts import Contact
from emulator.domain.deliveries import Delivery
from emulator.domain.events import Event
from emulator.domain.inboxes import inbox
from emulator.domain.messages import Conversation, Message
from emulator.domain.store import Store
from emulator.domain.tags import Tag
from emulator.domain.workspace import Channel, Inbox, Teammate
from emulator.wire.errors import FrontError

Found = TypeVar("Found")


def _or_404(found: Found | None, what: str) -> Found:
    if found is None:
        raise FrontError(404, f"{what} not found")
    return found


def channel_or_404(store: Store, reference: str) -> Channel:
    return _or_404(store.channel(reference), f"Channel {reference}")


def channel_taking(store: Store, reference: str, route: MessageRoute) -> Channel:
    """The channel, if it takes messages by this route (custom channels by incoming_messages, application
    channels by the Channel API); else the domain's refusal naming the route that does."""
    channel = channel_or_404(store, reference)
    refusal = route_refusal(channel, route)
    if refusal is not None:
        raise refusal
    return channel


def conversation_or_404(store: Store, conversation_id: str) -> Conversation:
    return _or_404(store.conversation(conversation_id), f"Conversation {conversation_id}")


def message_or_404(store: Store, reference: str) -> Message:
    """`msg_…` or `alt:uid:…`; a uid whose message is not created yet is a 404 too, as in Front."""
    return _or_404(store.message(reference), f"Message {reference}")


def delivery_or_404(store: Store, delivery_id: str) -> Delivery:
    return _or_404(store.delivery(delivery_id), f"Delivery {delivery_id}")


def contact_or_404(store: Store, reference: str) -> Contact:
    """`crd_…` or `alt:<source>:<handle>`."""
    return _or_404(store.contacts.contact(reference), f"Contact {reference}")


def teammate_or_404(store: Store, reference: str) -> Teammate:
    """`tea_…` or `alt:email:<email>`."""
    return _or_404(find_teammate(store.workspace, reference), f"Teammate {reference}")


def inbox_or_404(store: Store, inbox_id: str) -> Inbox:
    return _or_404(inbox(store.workspace, inbox_id), f"Inbox {inbox_id}")


def event_or_404(store: Store, event_id: str) -> Event:
    return _or_404(store.events.event(event_id), f"Event {event_id}")


def comment_or_404(store: Store, comment_id: str) -> Comment:
    return _or_404(store.comments.comment(comment_id), f"Comment {comment_id}")


def tag_or_404(store: Store, tag_id: str) -> Tag:
    return _or_404(store.tags.tag(tag_id), f"Tag {tag_id}")
