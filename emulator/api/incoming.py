"""POST /channels/{channel_id}/incoming_messages: the integration pushes a message into Front.

This is the emulator's hot path, so the route's endpoint is a plain ASGI app rather than a Starlette
`Request -> Response` function: store and config are bound once instead of fetched from `app.state` on
every request, the few headers it needs are read straight from the scope, a body that arrives in one
piece costs one `receive()`, and the 202 is sent as two ASGI messages. Routing (404/405) still belongs to
Starlette's router, and every error is still a `FrontError` answered by the app's exception handlers.

Only the common case is fast: anything unusual (another spelling of the Authorization header, an unknown
token, a Content-Type with parameters, a body in several chunks, multipart) is handed to the same
shared helpers every other route uses, so each error is worded in exactly one place.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from emulator.api.auth import authorise
from emulator.config import Config
from emulator.domain.messages import AttachmentUpload, IncomingMessage
from emulator.domain.store import Store
from emulator.domain.workspace import Channel
from emulator.schemas import validator
from emulator.wire.bodies import check_headers_depth, media_type, parse_json, parse_multipart, read_body
from emulator.wire.errors import FrontError
from emulator.wire.lookups import channel_or_404

SCOPE = "messages:write"
_BEARER = b"Bearer "
_JSON = b"application/json"
_custom_message = validator("custom-message")
_accepted = validator("accepted-message")


class IncomingMessages:
    """The ASGI endpoint of the route; Starlette has already matched the path and the method."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = self.store
        config = self.config
        # First occurrence of each header, as Starlette's Headers.get answers.
        authorization = content_type = content_length = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value if authorization is None else authorization
            elif name == b"content-type":
                content_type = value if content_type is None else content_type
            elif name == b"content-length":
                content_length = value if content_length is None else content_length

        if not _has_scope(store, authorization):
            authorise(Request(scope, receive), SCOPE)  # raises the 401/403 Front would answer
        channel = custom_channel(store, scope["path_params"]["channel_id"])

        uploads: list[AttachmentUpload] = []
        kind = "application/json" if content_type == _JSON else media_type(Request(scope, receive))
        if kind == "application/json":
            document = parse_json(await _whole_body(scope, receive, content_length, config.max_json_bytes))
        elif kind == "multipart/form-data":
            request = Request(scope, receive)
            body = await read_body(request, config.max_json_bytes + config.max_attachments_bytes)
            document, uploads = await parse_multipart(request, body, config.max_attachments_bytes)
        else:
            shown = kind or "none"
            raise FrontError(
                415, f"Content-Type {shown} is not supported: send application/json or multipart/form-data"
            )
        if not _custom_message.is_valid(document):
            raise FrontError(400, "Invalid request body", _custom_message.details(document))
        check_headers_depth(document)

        uid = store.accept_incoming(channel, incoming_from_document(document, uploads))
        # Create what is due now rather than on the next read: with creation delay 0 the message exists
        # before its 202 leaves, and the request that caused the work pays for it.
        store.settle()
        answer = {"status": "accepted", "message_uid": uid}
        if config.validate_responses:
            _accepted.check(answer)
        payload = orjson.dumps(answer)
        # The same two headers, in the same order, as Response(payload, 202, media_type=JSON) sends.
        headers = [(b"content-length", b"%d" % len(payload)), (b"content-type", _JSON)]
        await send({"type": "http.response.start", "status": 202, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _has_scope(store: Store, authorization: bytes | None) -> bool:
    """The usual `Bearer <token>` of a token that may write; False means "let authorise() decide"."""
    if authorization is None or not authorization.startswith(_BEARER):
        return False
    value = authorization[len(_BEARER) :].decode("latin-1").strip()
    token = store.token(value) if value else None
    return token is not None and SCOPE in token.scopes


async def _whole_body(scope: Scope, receive: Receive, declared: bytes | None, limit: int) -> bytes:
    """read_body's answer; a body announced within the limit that arrives in one message takes one await."""
    if declared is not None and not (declared.isdigit() and int(declared) <= limit):
        return await read_body(Request(scope, receive), limit)  # 413 before reading, or a strange header
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        body: bytes = message.get("body", b"")
        if len(body) <= limit:
            return body
    # Chunked, oversize or disconnected: replay the message we took to the general reader.
    first: Message | None = message

    async def replay() -> Message:
        nonlocal first
        if first is not None:
            taken, first = first, None
            return taken
        return await receive()

    return await read_body(Request(scope, replay), limit)


def custom_channel(store: Store, reference: str) -> Channel:
    channel = channel_or_404(store, reference)
    if channel.is_application:
        raise FrontError(
            400,
            f"Channel {channel.id} is an application channel: its app syncs messages with "
            f"POST /channels/{channel.id}/inbound_messages (and outbound_messages), not incoming_messages",
        )
    if not channel.is_custom:
        raise FrontError(
            400,
            f"Channel {channel.id} is of type {channel.type}: incoming messages are for custom channels only",
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
