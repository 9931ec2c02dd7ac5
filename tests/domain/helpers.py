"""Stores for domain unit tests (the default workspace, a frozen clock, a fixed seed), and what they hold."""

from __future__ import annotations

from emulator.app import create_store
from emulator.config import Config
from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from emulator.domain.deliveries import UNRECORDED, Delivery
from emulator.domain.messages import Conversation, IncomingMessage, Message, Recipient, TeammateMessage
from emulator.domain.store import Store

START = 1_800_000_000.0
CHANNEL = "cha_1a01"
ADA = "tea_1b01"


def make_store(delay: float = 0.0, seed: int = 1, **settings: object) -> Store:
    config = Config(seed=seed, creation_delay=CreationDelay(delay, delay), **settings)  # type: ignore[arg-type]
    return create_store(config, FrozenClock(START))


def inbound(store: Store, handle: str = "visitor-1", body: str = "Hi", thread_ref: str | None = None) -> str:
    channel = store.channel(CHANNEL)
    assert channel is not None
    return store.accept_incoming(
        channel, IncomingMessage(sender_handle=handle, body=body, thread_ref=thread_ref)
    )


def conversation_of(store: Store, message_uid: str) -> Conversation:
    message = store.message("alt:uid:" + message_uid)
    assert message is not None
    conversation = store.conversation(message.conversation_id)
    assert conversation is not None
    return conversation


def outbound(store: Store, conversation: Conversation, body: str = "<p>Hello</p>") -> Message:
    channel = store.channel(conversation.channel_id)
    assert channel is not None
    teammate = TeammateMessage(body=body, recipients=(Recipient("visitor-1", "to"),), author_id=ADA)
    return store.add_outbound(channel, conversation, teammate, conversation.contact)


def attempt_of(
    message: Message, attempt: int = 1, error_type: str | None = None, reason: str | None = None
) -> Delivery:
    """What the delivery engine hands the outbox after one attempt: failed when `error_type` is given."""
    return Delivery(
        id=UNRECORDED,
        message_id=message.id,
        channel_id=message.channel_id,
        conversation_id=message.conversation_id,
        attempt=attempt,
        url="http://integration.test/",
        request_headers={},
        request_body="{}",
        signature_input={},
        started_at=START,
        duration_ms=1.0,
        outcome="failed" if error_type else "sent",
        error_type=error_type,
        reason=reason,
    )
