"""Front's Channel API for application channels: the app syncs messages in, authenticated by a channel JWT.

`inbound_messages` (a contact's message) and `outbound_messages` (a message sent outside Front) are
accepted like `incoming_messages` (202 with a message_uid, created after the creation delay, threaded by
the app's `external_conversation_id` within the channel). A custom channel refuses these routes, naming
`incoming_messages`; which kind of channel it is is told before the token, since a custom channel has no
App secret a token could be checked against.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from emulator.api.channel_jwt import ChannelGrant, channel_grant, is_channel_jwt
from emulator.api.hot_path import JSON, message_headers, send_accepted, whole_body
from emulator.api.sending import update_channel
from emulator.config import Config
from emulator.domain.applications import report_failed
from emulator.domain.messages import AttachmentUpload, Contact, ExternalIds, SyncedMessage
from emulator.domain.rules import Refusal
from emulator.domain.store import Store
from emulator.wire.bodies import media_type, parse_json, parse_multipart, read_body
from emulator.wire.documents import checked, json_document
from emulator.wire.errors import FrontError
from emulator.wire.lookups import channel_taking

# Form fields that are lists of objects in a multipart sync: to[0][handle]=…
_FORM_LISTS = frozenset({"to"})


def authorised_channel(request: Request) -> ChannelGrant:
    store: Store = request.app.state.store
    channel = channel_taking(store, request.path_params["channel_id"], "channel_api")
    return channel_grant(store, request.headers.get("authorization"), channel)


class SyncedMessages:
    """POST /channels/{id}/inbound_messages or outbound_messages: a plain ASGI endpoint with store and
    config bound, fast in the common case (emulator/api/hot_path.py), as incoming_messages is."""

    def __init__(self, store: Store, config: Config, *, inbound: bool) -> None:
        self.store = store
        self.config = config
        self.is_inbound = inbound
        self.schema_name = "channel-inbound-message" if inbound else "channel-outbound-message"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = self.store
        config = self.config
        authorization, content_type, content_length = message_headers(scope)
        channel = channel_taking(store, scope["path_params"]["channel_id"], "channel_api")
        # Decoded as Starlette decodes headers, so every route reads the same token.
        token = authorization.decode("latin-1") if authorization is not None else None
        grant = channel_grant(store, token, channel)
        uploads: list[AttachmentUpload] = []
        if content_type == JSON:
            body = await whole_body(scope, receive, content_length, config.max_json_bytes)
            document = checked(parse_json(body), self.schema_name)
        else:
            document, uploads = await _sync_document(Request(scope, receive), config, self.schema_name)
        synced = _inbound(document, uploads) if self.is_inbound else _outbound(store, document, uploads)
        # As for incoming_messages: what is due now (creation delay 0) exists before the 202 leaves.
        uid = store.take_synced(grant.channel, synced)
        await send_accepted(send, uid, config.validate_responses)


async def _sync_document(
    request: Request, config: Config, schema_name: str
) -> tuple[dict[str, Any], list[AttachmentUpload]]:
    kind = media_type(request)
    if kind == "application/json":
        return checked(parse_json(await read_body(request, config.max_json_bytes)), schema_name), []
    if kind == "multipart/form-data":
        body = await read_body(request, config.max_json_bytes + config.max_attachments_bytes)
        document, uploads = await parse_multipart(request, body, config.max_attachments_bytes, _FORM_LISTS)
        delivered_at = document.get("delivered_at") if isinstance(document, dict) else None
        if isinstance(delivered_at, str) and delivered_at.isdigit():
            # Form fields are text: delivered_at=1700000000 means the integer, as Front reads it.
            document["delivered_at"] = int(delivered_at)
        return checked(document, schema_name), uploads
    raise FrontError(
        415, f"Content-Type {kind or 'none'} is not supported: send application/json or multipart/form-data"
    )


def _external_ids(document: dict[str, Any]) -> ExternalIds:
    metadata = document["metadata"]
    return ExternalIds(
        external_id=metadata["external_id"],
        external_conversation_id=metadata["external_conversation_id"],
        referenced_message_external_id=metadata.get("referenced_message_external_id") or None,
    )


def _contact(party: dict[str, Any]) -> Contact:
    return Contact(handle=party["handle"], name=party.get("name") or None)


def _inbound(document: dict[str, Any], uploads: list[AttachmentUpload]) -> SyncedMessage:
    return SyncedMessage(
        is_inbound=True,
        contacts=(_contact(document["sender"]),),
        body=document["body"],
        external=_external_ids(document),
        subject=document.get("subject") or None,
        delivered_at=document.get("delivered_at"),
        attachments=tuple(uploads),
    )


def _outbound(store: Store, document: dict[str, Any], uploads: list[AttachmentUpload]) -> SyncedMessage:
    author_id = document.get("author_id") or None
    if author_id is not None and store.teammate(author_id) is None:
        raise Refusal(
            "invalid", "Invalid request body", (f"/author_id: no teammate {author_id} in this workspace",)
        )
    return SyncedMessage(
        is_inbound=False,
        contacts=tuple(_contact(party) for party in document["to"]),
        body=document["body"],
        external=_external_ids(document),
        subject=document.get("subject") or None,
        sender_name=document.get("sender_name") or None,
        author_id=author_id,
        delivered_at=document.get("delivered_at"),
        attachments=tuple(uploads),
    )


async def update_message_status(request: Request) -> Response:
    """PUT /channels/{id}/conversations/{conv_ext_id}/messages/{message_ext_id}/status: the app reports
    that an outbound message failed to reach the contact."""
    grant = authorised_channel(request)
    document = await json_document(request, "channel-message-status", what="the status")
    params = request.path_params
    report_failed(
        request.app.state.store,
        grant.channel,
        params["conv_ext_id"],
        params["message_ext_id"],
        document.get("reason") or None,
    )
    return Response(status_code=204)


async def update_channel_or_status(request: Request) -> Response:
    """PATCH /channels/{id} is two operations on one path: the Core API's settings change (an API token)
    and the Channel API's status report (a channel JWT), told apart by the token."""
    if not is_channel_jwt(request):
        return await update_channel(request)
    grant = authorised_channel(request)
    document = await json_document(request, "channel-status", what="the status")
    request.app.state.store.replace_channel(replace(grant.channel, status=document["status"]))
    return Response(status_code=204)
