"""Find a resource by the reference a client gave, or answer Front's 404: one wording everywhere."""

from __future__ import annotations

from typing import TypeVar

from emulator.domain.deliveries import Delivery
from emulator.domain.messages import Conversation, Message
from emulator.domain.store import Store
from emulator.domain.workspace import Channel
from emulator.wire.errors import FrontError

Found = TypeVar("Found")


def _or_404(found: Found | None, what: str) -> Found:
    if found is None:
        raise FrontError(404, f"{what} not found")
    return found


def channel_or_404(store: Store, reference: str) -> Channel:
    return _or_404(store.channel(reference), f"Channel {reference}")


def conversation_or_404(store: Store, conversation_id: str) -> Conversation:
    return _or_404(store.conversation(conversation_id), f"Conversation {conversation_id}")


def message_or_404(store: Store, reference: str) -> Message:
    """`msg_…` or `alt:uid:…`; a uid whose message is not created yet is a 404 too, as in Front."""
    return _or_404(store.message(reference), f"Message {reference}")


def delivery_or_404(store: Store, delivery_id: str) -> Delivery:
    return _or_404(store.delivery(delivery_id), f"Delivery {delivery_id}")
