"""POST /channels/{channel_id}/incoming_messages: the integration pushes a message into Front.

This is the emulator's hot path: every step is a dict lookup or a compiled check, and the explaining
validator runs only when the body is already known to be invalid.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.api.bodies import check_headers_depth, media_type, parse_json, parse_multipart, read_body
from emulator.api.errors import FrontError
from emulator.domain.messages import AttachmentUpload, IncomingMessage
from emulator.domain.workspace import Channel
from emulator.schemas import validator

_custom_message = validator("custom-message")
_accepted = validator("accepted-message")


async def receive_incoming_message(request: Request) -> Response:
    state = request.app.state
    authorise(request, "messages:write")
    channel = resolve_custom_channel(request, request.path_params["channel_id"])
    content_type = media_type(request)
    config = state.config
    uploads: list[AttachmentUpload] = []
    if content_type == "application/json":
        document = parse_json(await read_body(request, config.max_json_bytes))
    elif content_type == "multipart/form-data":
        body = await read_body(request, config.max_json_bytes + config.max_attachments_bytes)
        document, uploads = await parse_multipart(request, body, config.max_attachments_bytes)
    else:
        shown = content_type or "none"
        raise FrontError(
            415, f"Content-Type {shown} is not supported: send application/json or multipart/form-data"
        )
    if not _custom_message.is_valid(document):
        raise FrontError(400, "Invalid request body", _custom_message.details(document))
    check_headers_depth(document)
    uid = state.store.accept_incoming(channel, incoming_from_document(document, uploads))
    answer = {"status": "accepted", "message_uid": uid}
    if config.validate_responses:
        _accepted.check(answer)
    return Response(orjson.dumps(answer), status_code=202, media_type="application/json")


def resolve_custom_channel(request: Request, reference: str) -> Channel:
    channel = request.app.state.store.channel(reference)
    if channel is None:
        raise FrontError(404, f"Channel {reference} not found")
    if not channel.is_custom:
        raise FrontError(
            400, f"Channel {channel.id} is of type {channel.type}: incoming messages are for custom channels only"
        )
    return channel


def incoming_from_document(document: dict[str, Any], uploads: list[AttachmentUpload]) -> IncomingMessage:
    """Null or empty optional fields count as absent, as Front treats them."""
    sender = document["sender"]
    metadata = document.get("metadata") or {}
    return IncomingMessage(
        sender_handle=sender["handle"],
        body=document["body"],
        sender_name=sender.get("name") or None,
        sender_contact_id=sender.get("contact_id") or None,
        subject=document.get("subject") or None,
        body_format=document.get("body_format") or "markdown",
        thread_ref=metadata.get("thread_ref") or None,
        headers=metadata.get("headers") or None,
        attachments=tuple(uploads),
    )
