"""Front's routes for teammates' messages (replies and new messages) and channel settings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.api.bodies import media_type, parse_json, parse_multipart, read_body
from emulator.api.errors import FrontError
from emulator.api.lookups import channel_or_404, conversation_or_404
from emulator.api.responses import front_json
from emulator.domain.deliveries import Delivery
from emulator.domain.handles import normalise_handle
from emulator.domain.messages import AttachmentUpload, Conversation, Message, OutgoingMessage, Recipient
from emulator.domain.store import Store
from emulator.domain.workspace import Channel, ChannelSettings
from emulator.schemas import validator

# Recipient lists sent as form fields: to[]=a&to[]=b.
_FORM_LISTS = frozenset({"to", "cc", "bcc", "tag_ids"})


async def json_document(request: Request, schema_name: str) -> dict[str, Any]:
    """A JSON body checked against `schema_name`, or Front's 4xx saying what is wrong."""
    if media_type(request) != "application/json":
        raise FrontError(415, "Send this request as application/json")
    document = parse_json(await read_body(request, request.app.state.config.max_json_bytes))
    _check(document, schema_name)
    return document


async def message_document(
    request: Request, schema_name: str
) -> tuple[dict[str, Any], list[AttachmentUpload]]:
    """A teammate's message as JSON, or as a form (multipart/form-data when it carries attachments)."""
    if media_type(request) not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return await json_document(request, schema_name), []
    config = request.app.state.config
    body = await read_body(request, config.max_json_bytes + config.max_attachments_bytes)
    document, uploads = await parse_multipart(request, body, config.max_attachments_bytes, _FORM_LISTS)
    options = document.get("options")
    if isinstance(options, dict) and options.get("archive") in ("true", "false"):
        # Form fields are text: options[archive]=false means the boolean, as Front reads it.
        options["archive"] = options["archive"] == "true"
    _check(document, schema_name)
    return document, uploads


def _check(document: object, schema_name: str) -> None:
    schema = validator(schema_name)
    if not schema.is_valid(document):
        raise FrontError(400, "Invalid request body", schema.details(document))


def _check_can_send(store: Store, channel: Channel, author_id: str | None) -> None:
    if author_id is not None and store.teammate(author_id) is None:
        raise FrontError(
            400, "Invalid request body", [f"/author_id: no teammate {author_id} in this workspace"]
        )
    if not channel.is_custom:
        raise FrontError(
            400, f"Channel {channel.id} is of type {channel.type}: the emulator sends on custom channels only"
        )
    if channel.settings.webhook_url is None:
        raise FrontError(
            400,
            f"Channel {channel.id} has no Outgoing URL: "
            f"set settings.webhook_url with PATCH /channels/{channel.id}",
        )


def _accepted(request: Request, uid: str) -> Response:
    request.app.state.engine.wake()
    return front_json(request, {"status": "accepted", "message_uid": uid}, "accepted-message", 202)


def _options_archive(document: dict[str, Any]) -> bool:
    return bool((document.get("options") or {}).get("archive", True))


async def reply_to_conversation(request: Request) -> Response:
    authorise(request, "messages:send")
    store = request.app.state.store
    conversation = conversation_or_404(store, request.path_params["conversation_id"])
    document, uploads = await message_document(request, "outbound-reply")
    message = send_reply(store, conversation, document, uploads)
    return _accepted(request, message.uid)


def send_reply(
    store: Store, conversation: Conversation, document: dict[str, Any], uploads: list[AttachmentUpload]
) -> Message:
    """A reply checked as Front checks it and stored pending; Front's API and the inspector both send here.

    `document` is already valid against outbound-reply; refusals raise FrontError.
    """
    channel = store.channel(conversation.channel_id)
    requested = document.get("channel_id")
    if requested and (store.channel(requested) or channel).id != channel.id:
        raise FrontError(
            400, f"A reply must leave through the conversation's channel {channel.id}, not {requested}"
        )
    if channel.settings.reply_mode == "cannot_reply":
        raise FrontError(403, f"Channel {channel.id} is set to 'Cannot reply': teammates cannot reply on it")
    author_id = document.get("author_id") or None
    _check_can_send(store, channel, author_id)
    handles = document.get("to") or [conversation.contact.handle]
    recipients = tuple(
        conversation.contact if handle == conversation.contact.handle else Recipient(handle=handle, role="to")
        for handle in handles
    )
    last_inbound = store.last_inbound_message(conversation)
    outgoing = OutgoingMessage(
        body=document["body"],
        recipients=tuple(replace(recipient, role="to") for recipient in recipients),
        author_id=author_id,
        subject=document.get("subject") or conversation.subject,
        replied_to_id=last_inbound.id if last_inbound else None,
        archive=_options_archive(document),
        attachments=tuple(uploads),
    )
    return store.add_outbound(channel, conversation, outgoing, conversation.contact)


async def compose_message(request: Request) -> Response:
    authorise(request, "messages:send")
    store = request.app.state.store
    channel = channel_or_404(store, request.path_params["channel_id"])
    document, uploads = await message_document(request, "outbound-message")
    message = send_new_message(store, channel, document, uploads)
    return _accepted(request, message.uid)


def send_new_message(
    store: Store, channel: Channel, document: dict[str, Any], uploads: list[AttachmentUpload]
) -> Message:
    """A new message checked as Front checks it and stored pending (API and inspector alike).

    `document` is already valid against outbound-message; refusals raise FrontError.
    """
    if not channel.settings.allow_new_messages:
        raise FrontError(
            403, f"Channel {channel.id} does not allow new messages: set settings.allow_new_messages to true"
        )
    author_id = document.get("author_id") or None
    _check_can_send(store, channel, author_id)
    handles = document["to"]
    if channel.settings.contact_type == "phone" and store.normalise_phone_handles:
        # A phone channel's contacts are phone numbers, normalised as inbound senders are.
        handles = [normalise_handle(handle) for handle in handles]
    recipients = tuple(Recipient(handle=handle, role="to") for handle in handles)
    outgoing = OutgoingMessage(
        body=document["body"],
        recipients=recipients,
        author_id=author_id,
        subject=document.get("subject") or None,
        archive=_options_archive(document),
        attachments=tuple(uploads),
    )
    return store.add_outbound(channel, None, outgoing, replace(recipients[0], role="from"))


async def update_channel(request: Request) -> Response:
    authorise(request, "channels:write")
    store = request.app.state.store
    channel = channel_or_404(store, request.path_params["channel_id"])
    document = await json_document(request, "update-channel")
    settings = document.get("settings") or {}
    custom_only = sorted(set(settings) - {"undo_send_time", "all_teammates_can_reply"})
    if custom_only and not channel.is_custom:
        raise FrontError(
            400,
            f"Only undo_send_time and all_teammates_can_reply can change on a {channel.type} channel",
            [f"/settings/{name}: only for custom channels" for name in custom_only],
        )
    store.replace_channel(
        replace(
            channel,
            name=document.get("name", channel.name),
            settings=replace(channel.settings, **settings),
        )
    )
    return Response(status_code=204)


def channel_from_document(document: dict[str, Any], new_id: str) -> Channel:
    return Channel(
        id=document.get("id") or new_id,
        address=document["address"],
        name=document.get("name") or document["address"],
        type=document.get("type", "custom"),
        settings=replace(ChannelSettings(), **(document.get("settings") or {})),
    )


def cancel_pending(request: Request, message: Message) -> None:
    """Cancel within the undo window; Front's API-style 409 once the message has left or is inbound."""
    if message.delivery_status != "pending":
        shown = message.delivery_status or "an inbound message"
        raise FrontError(409, f"Message {message.id} is {shown}: only a pending message can be cancelled")
    request.app.state.store.cancel(message)
    request.app.state.engine.wake()


async def redeliver_finished(request: Request, delivery: Delivery) -> Delivery:
    """Send a delivery's message again, freshly signed; refused while that message is still on its way."""
    message = request.app.state.store.message(delivery.message_id)
    if message is not None and message.delivery_status in ("pending", "sending"):
        raise FrontError(
            409, f"Message {message.id} is {message.delivery_status}: wait for it to finish first"
        )
    new_delivery: Delivery = await request.app.state.engine.redeliver(delivery)
    return new_delivery
