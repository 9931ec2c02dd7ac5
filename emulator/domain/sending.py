"""A teammate's messages, as Front decides them: who may send on a channel, to whom, answering what.

Every door asks here (Front's API routes, the inspector's forms and pages, the control plane), so what
the inspector offers, accepts or refuses is exactly what the API would. A rule that says no raises, or
returns, a Refusal with the reason; nothing here knows about HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from emulator.domain.deliveries import Delivery
from emulator.domain.handles import normalise_handle
from emulator.domain.messages import Conversation, Message, TeammateMessage
from emulator.domain.rules import Refusal
from emulator.domain.store import CHANNEL_ADDRESS_ALIAS, Store
from emulator.domain.workspace import Channel

# The settings Front lets any channel change; the others exist on custom channels only.
SHARED_SETTINGS = frozenset({"undo_send_time", "all_teammates_can_reply"})


def can_send(channel: Channel) -> Refusal | None:
    """Whether the emulator can deliver anything through `channel` at all."""
    if not (channel.is_custom or channel.is_application):
        return Refusal(
            "invalid",
            f"Channel {channel.id} is of type {channel.type}: the emulator sends on custom channels only",
        )
    if channel.settings.webhook_url is None:
        return Refusal(
            "invalid",
            f"Channel {channel.id} has no Outgoing URL: "
            f"set settings.webhook_url with PATCH /channels/{channel.id}",
        )
    return None


def _reply_mode_refusal(channel: Channel) -> Refusal | None:
    if channel.settings.reply_mode == "cannot_reply":
        return Refusal(
            "forbidden", f"Channel {channel.id} is set to 'Cannot reply': teammates cannot reply on it"
        )
    return None


def _new_messages_refusal(channel: Channel) -> Refusal | None:
    if not channel.settings.allow_new_messages:
        return Refusal(
            "forbidden",
            f"Channel {channel.id} does not allow new messages: set settings.allow_new_messages to true",
        )
    return None


def can_reply(channel: Channel) -> Refusal | None:
    """Whether a teammate can reply in a conversation of `channel` (None), or why not."""
    return _reply_mode_refusal(channel) or can_send(channel)


def can_compose(channel: Channel) -> Refusal | None:
    """Whether a teammate can start a new conversation on `channel` (None), or why not."""
    return _new_messages_refusal(channel) or can_send(channel)


def _check_author(store: Store, author_id: str | None) -> None:
    if author_id is not None and store.teammate(author_id) is None:
        raise Refusal(
            "invalid", "Invalid request body", (f"/author_id: no teammate {author_id} in this workspace",)
        )


def _raise(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise refusal


def send_reply(
    store: Store, conversation: Conversation, message: TeammateMessage, channel_id: str | None = None
) -> Message:
    """A reply, checked as Front checks it and stored pending until the undo window is over.

    `channel_id` is the one the teammate named, if any: a reply leaves through the conversation's own
    channel. No recipients means the conversation's contact; the reply answers the latest inbound message.
    """
    channel = store.channel(conversation.channel_id)
    if channel is None:
        raise Refusal("invalid", f"Channel {conversation.channel_id} was deleted: nothing can be sent on it")
    if channel_id and (store.channel(channel_id) or channel).id != channel.id:
        raise Refusal(
            "invalid", f"A reply must leave through the conversation's channel {channel.id}, not {channel_id}"
        )
    _raise(_reply_mode_refusal(channel))
    _check_author(store, message.author_id)
    _raise(can_send(channel))
    contact = conversation.contact
    recipients = tuple(
        replace(contact, role="to") if recipient.handle == contact.handle else recipient
        for recipient in message.recipients or (contact,)
    )
    last_inbound = store.last_inbound_message(conversation)
    reply = replace(
        message,
        recipients=recipients,
        subject=message.subject or conversation.subject,
        replied_to_id=last_inbound.id if last_inbound else None,
    )
    return store.add_outbound(channel, conversation, reply, contact)


def send_new_message(store: Store, channel: Channel, message: TeammateMessage) -> Message:
    """A new message (a new conversation), checked as Front checks it and stored pending."""
    _raise(_new_messages_refusal(channel))
    _check_author(store, message.author_id)
    _raise(can_send(channel))
    recipients = message.recipients
    if channel.settings.contact_type == "phone" and store.normalise_phone_handles:
        # A phone channel's contacts are phone numbers, normalised as inbound senders are.
        recipients = tuple(replace(item, handle=normalise_handle(item.handle)) for item in recipients)
    return store.add_outbound(
        channel, None, replace(message, recipients=recipients), replace(recipients[0], role="from")
    )


def changed_channel(channel: Channel, name: str, settings: Mapping[str, Any]) -> Channel:
    """`channel` with a new name and settings; a non-custom channel changes only SHARED_SETTINGS."""
    custom_only = sorted(set(settings) - SHARED_SETTINGS)
    if custom_only and not channel.is_custom:
        raise Refusal(
            "invalid",
            f"Only undo_send_time and all_teammates_can_reply can change on a {channel.type} channel",
            tuple(f"/settings/{setting}: only for custom channels" for setting in custom_only),
        )
    return replace(channel, name=name, settings=replace(channel.settings, **settings))


def check_new_channel(store: Store, channel: Channel) -> None:
    """Ids and addresses are unique in a workspace."""
    if store.channel(channel.id) is not None:
        raise Refusal("conflict", f"Channel {channel.id} already exists")
    if store.channel(CHANNEL_ADDRESS_ALIAS + channel.address) is not None:
        raise Refusal("conflict", f"A channel with address {channel.address} already exists")


def cancel_pending(store: Store, message: Message) -> None:
    """Cancel within the undo window; a conflict once the message has left, or for an inbound message."""
    if message.delivery_status != "pending":
        shown = message.delivery_status or "an inbound message"
        raise Refusal("conflict", f"Message {message.id} is {shown}: only a pending message can be cancelled")
    store.outbox.cancel(message)


def check_redeliverable(store: Store, delivery: Delivery) -> None:
    """A delivery can be sent again once its message has finished (sent, failed or cancelled)."""
    message = store.message(delivery.message_id)
    if message is not None and message.delivery_status in ("pending", "sending"):
        raise Refusal(
            "conflict", f"Message {message.id} is {message.delivery_status}: wait for it to finish first"
        )
