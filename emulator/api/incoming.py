"""POST /channels/{channel_id}/incoming_messages: the integration pushes a message into Front.

The emulator's hot path: a plain ASGI endpoint with store and config bound, fast in the common case only
(emulator/api/hot_path.py). Anything unusual (another spelling of the Authorization header, an unknown
token, a Content-Type with parameters, a body in several chunks, multipart) is handed to the same shared
helpers every other route uses, so each error is worded in exactly one place.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from emulator.api.auth import authorise
from emulator.api.hot_path import JSON, message_headers, send_accepted, whole_body
from emulator.config import Config
from emulator.domain.messages import AttachmentUpload, IncomingMessage
from emulator.domain.store import Store
from emulator.schemas import validator
from emulator.wire.bodies import check_headers_depth, media_type, parse_json, parse_multipart, read_body
from emulator.wire.errors import FrontError
from emulator.wire.lookups import channel_taking

SCOPE = "messages:write"
_BEARER = b"Bearer "
_custom_message = validator("custom-message")


class IncomingMessages:
    """The ASGI endpoint of the route; Starlette has already matched the path and the method."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = self.store
        config = self.config
        authorization, content_type, content_length = message_headers(scope)
        if not _has_scope(store, authorization):
            authorise(Request(scope, receive), SCOPE)  # raises the 401/403 Front would answer
        channel = channel_taking(store, scope["path_params"]["channel_id"], "incoming_messages")

        uploads: list[AttachmentUpload] = []
        kind = "application/json" if content_type == JSON else media_type(Request(scope, receive))
        if kind == "application/json":
            document = parse_json(await whole_body(scope, receive, content_length, config.max_json_bytes))
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

        # Creates what is due now rather than on the next read: with creation delay 0 the message exists
        # before its 202 leaves, and the request that caused the work pays for it.
        uid = store.take_incoming(channel, incoming_from_document(document, uploads))
        await send_accepted(send, uid, config.validate_responses)


def _has_scope(store: Store, authorization: bytes | None) -> bool:
    """The usual `Bearer <token>` of a token that may write; False means "let authorise() decide"."""
    if authorization is None or not authorization.startswith(_BEARER):
        return False
    value = authorization[len(_BEARER) :].decode("latin-1").strip()
    token = store.token(value) if value else None
    return token is not None and SCOPE in token.scopes


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
