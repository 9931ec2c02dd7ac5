"""Application channels (Front's Channel API): the apps of a workspace and the rules for adding one."""

from __future__ import annotations

from dataclasses import replace

from emulator.domain.rules import Refusal
from emulator.domain.store import CHANNEL_ADDRESS_ALIAS, Store
from emulator.domain.workspace import Application, Channel, ChannelSettings, DeleteSignature


def add_application(
    store: Store,
    name: str,
    webhook_url: str,
    uid: str | None = None,
    secret: str | None = None,
    delete_signature: DeleteSignature = "body",
) -> Application:
    """A new app; uid and secret are drawn from the store's id source when not given, so a seeded
    emulator hands out the same ones every run."""
    if uid is not None and store.application(uid) is not None:
        raise Refusal("conflict", f"An application with uid {uid} already exists")
    application = Application(
        uid=uid or _new_uid(store),
        secret=secret or store.ids.new_uid(),
        name=name,
        webhook_url=webhook_url,
        delete_signature=delete_signature,
    )
    store.add_application(application)
    return application


def _new_uid(store: Store) -> str:
    """Front's App UIDs are short lowercase hex; a drawn one never collides with one already there."""
    while True:
        uid = store.ids.new_uid()[:10]
        if store.application(uid) is None:
            return uid


def application_or_refusal(store: Store, uid: str) -> Application:
    application = store.application(uid)
    if application is None:
        raise Refusal("not_found", f"Application {uid} not found")
    return application


def planned_application_channel(
    store: Store, application: Application, name: str, address: str | None
) -> Channel:
    """The channel an admin is adding, not stored yet: the app must authorize it first (its answer gives
    the channel's webhook_url)."""
    channel_id = store.ids.new_id("cha")
    address = address or f"{application.uid}-{channel_id}"
    if store.channel(CHANNEL_ADDRESS_ALIAS + address) is not None:
        raise Refusal("conflict", f"A channel with address {address} already exists")
    return Channel(id=channel_id, address=address, name=name, application=application.uid)


def authorized_channel(store: Store, planned: Channel, webhook_url: str) -> Channel:
    channel = replace(planned, settings=replace(ChannelSettings(), webhook_url=webhook_url))
    store.replace_channel(channel)
    return channel


def report_failed(
    store: Store, channel: Channel, conversation_ext_id: str, message_ext_id: str, reason: str | None
) -> None:
    """The app says an outbound message it took did not reach the contact: failed, conversation reopened."""
    message = store.message_by_external_id(channel, message_ext_id)
    if (
        message is None
        or message.is_inbound
        or message.external is None
        or message.external.external_conversation_id != conversation_ext_id
    ):
        raise Refusal(
            "not_found",
            f"No outbound message {message_ext_id!r} in conversation {conversation_ext_id!r} "
            f"of channel {channel.id}",
        )
    store.outbox.report_failure(
        message, reason or "The app reported that the message could not be delivered."
    )
