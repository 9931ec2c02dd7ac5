"""Find a resource by the reference a client gave, or answer Front's 404: one wording everywhere."""

from __future__ import annotations

from emulator.domain.deliveries import Delivery
from emulator.domain.messages import Conversation, Message
from emulator.domain.store import Store
from emulator.domain.workspace import Channel
from emulator.wire.errors import FrontError


def channel_or_404(store: Store, reference: str) -> Channel:
    channel = store.channel(reference)
    if channel is None:
        raise FrontError(404, f"Channel {reference} not found")
    return channel


def conversation_or_404(store: Store, conversation_id: str) -> Conversation:
    conversation = store.conversation(conversation_id)
    if conversation is None:
        raise FrontError(404, f"Conversation {conversation_id} not found")
    return conversation


def message_or_404(store: Store, reference: str) -> Message:
    """`msg_…` or `alt:uid:…`; a uid whose message is not created yet is a 404 too, as in Front."""
    message = store.message(reference)
    if message is None:
        raise FrontError(404, f"Message {reference} not found")
    return message


def delivery_or_404(store: Store, delivery_id: str) -> Delivery:
    delivery = store.delivery(delivery_id)
    if delivery is None:
        raise FrontError(404, f"Delivery {delivery_id} not found")
    return delivery
