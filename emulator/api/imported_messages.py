"""POST /inboxes/{inbox_id}/imported_messages: Front's Import Message API (emulator/domain/imports.py).

The body is JSON, or a form (multipart/form-data when it carries attachments); a form's values are
text, so the few fields Front types otherwise (`created_at`, the `metadata` flags) are read as their
type first and the same schema then checks both.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain.imports import ImportedMessage, accept_import
from emulator.domain.messages import AttachmentUpload
from emulator.wire.bodies import media_type, parse_json, parse_multipart, read_body
from emulator.wire.documents import checked
from emulator.wire.errors import FrontError
from emulator.wire.lookups import inbox_or_404
from emulator.wire.responses import front_json

SCHEMA = "import-message"
# Lists sent as form fields: to[]=a&to[]=b, tags[]=vip.
_FORM_LISTS = frozenset({"to", "cc", "bcc", "tags"})
_FORM_FLAGS = ("is_inbound", "is_archived", "should_skip_rules")
_FORM_BOOLEANS = {"true": True, "false": False}


async def import_message(request: Request) -> Response:
    authorise(request, "messages:write")
    store = request.app.state.store
    inbox = inbox_or_404(store, request.path_params["inbox_id"])
    document, uploads = await _import_document(request)
    if document.get("body_format") is not None and document.get("type", "email") != "email":
        raise FrontError(400, "Invalid request body", ["/body_format: can only be given for type email"])
    message_uid = accept_import(store, inbox, imported_from_document(document, uploads))
    # As for incoming messages: with creation delay 0 the message exists before the 202 leaves.
    store.settle()
    return front_json(request, {"status": "accepted", "message_uid": message_uid}, "accepted-message", 202)


async def _import_document(request: Request) -> tuple[dict[str, Any], list[AttachmentUpload]]:
    config = request.app.state.config
    kind = media_type(request)
    if kind == "application/json":
        return checked(parse_json(await read_body(request, config.max_json_bytes)), SCHEMA), []
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        body = await read_body(request, config.max_json_bytes + config.max_attachments_bytes)
        document, uploads = await parse_multipart(request, body, config.max_attachments_bytes, _FORM_LISTS)
        return checked(typed_form_fields(document), SCHEMA), uploads
    raise FrontError(
        415,
        f"Content-Type {kind or 'none'} is not supported: send application/json, or multipart/form-data "
        "(a form without files may be application/x-www-form-urlencoded)",
    )


def typed_form_fields(document: dict[str, Any]) -> dict[str, Any]:
    """A form's text as Front reads it: `created_at=1700000000` the integer, `metadata[is_inbound]=true`
    the boolean. Anything else is left as sent, for the schema to refuse with its usual detail."""
    created_at = document.get("created_at")
    if isinstance(created_at, str) and created_at.isascii() and created_at.isdigit():
        document["created_at"] = int(created_at)
    metadata = document.get("metadata")
    if isinstance(metadata, dict):
        for flag in _FORM_FLAGS:
            value = metadata.get(flag)
            if isinstance(value, str) and value in _FORM_BOOLEANS:
                metadata[flag] = _FORM_BOOLEANS[value]
    return document


def imported_from_document(document: dict[str, Any], uploads: list[AttachmentUpload]) -> ImportedMessage:
    """A checked import-message document as the domain takes it; empty optionals count as absent."""
    sender = document["sender"]
    metadata = document["metadata"]
    return ImportedMessage(
        is_inbound=metadata["is_inbound"],
        sender_handle=sender["handle"],
        sender_name=sender.get("name") or None,
        author_id=sender.get("author_id"),
        body=document["body"],
        external_id=document["external_id"],
        created_at=float(document["created_at"]),
        to=tuple(document["to"]),
        cc=tuple(document.get("cc", ())),
        bcc=tuple(document.get("bcc", ())),
        subject=document.get("subject") or None,
        body_format=document.get("body_format", "markdown"),
        type=document.get("type", "email"),
        assignee_id=document.get("assignee_id"),
        tags=tuple(document.get("tags", ())),
        conversation_id=document.get("conversation_id"),
        thread_ref=metadata.get("thread_ref"),
        is_archived=metadata.get("is_archived", True),
        attachments=tuple(uploads),
    )
