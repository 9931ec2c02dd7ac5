"""Request documents: a body parsed (see bodies.py) and checked against its schema in schemas/, turned
into the domain's objects, or Front's 4xx naming each bad field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request

from emulator.domain.messages import AttachmentUpload, Recipient, TeammateMessage
from emulator.domain.workspace import Channel, ChannelSettings
from emulator.schemas import all_schemas, validator
from emulator.wire.bodies import media_type, parse_json, parse_multipart, read_body
from emulator.wire.errors import FrontError

# Recipient lists sent as form fields: to[]=a&to[]=b.
_FORM_LISTS = frozenset({"to", "cc", "bcc", "tag_ids"})


def checked(document: Any, schema_name: str) -> Any:
    """`document` itself when it is valid against `schema_name`; Front's 400 with one detail per bad field."""
    schema = validator(schema_name)
    if not schema.is_valid(document):
        raise FrontError(400, "Invalid request body", schema.details(document))
    return document


async def json_document(request: Request, schema_name: str, what: str = "this request") -> dict[str, Any]:
    """A JSON body (Content-Type application/json, else 415) checked against `schema_name`."""
    if media_type(request) != "application/json":
        raise FrontError(415, f"Send {what} as application/json")
    document: dict[str, Any] = checked(
        parse_json(await read_body(request, request.app.state.config.max_json_bytes)), schema_name
    )
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
    return checked(document, schema_name), uploads


async def control_document(request: Request, schema_name: str, empty: dict[str, Any] | None = None) -> Any:
    """A control-plane body as JSON, valid against `schema_name`, whatever the Content-Type says.

    The Content-Type is not checked: `curl -d '{…}'` sends form-urlencoded unless told otherwise, and a
    control plane meant for shell scripts should not answer 415 to that. An empty body means `empty` when
    the route has nothing to require (`POST /_emulator/clock/freeze` alone freezes now).
    """
    body = await read_body(request, request.app.state.config.max_json_bytes)
    document = empty if empty is not None and not body.strip() else parse_json(body)
    return checked(document, schema_name)


def refuse_unknown_parameters(
    request: Request,
    known: tuple[str, ...],
    message: str = "Unknown query parameter",
    hint: str = "not a parameter here; use one of",
) -> None:
    """Front's 400 for query parameters a route does not take, one detail each: `name: hint known…`."""
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise FrontError(400, message, [f"{name}: {hint} {', '.join(known)}" for name in unknown])


def list_filters(request: Request, choices: dict[str, tuple[str, ...] | None]) -> dict[str, str]:
    """The filters of a control-plane list, by name: an unknown name is refused, and so is a value outside
    its filter's choices (when it has any), naming them; a mistyped value would otherwise match nothing
    and answer an empty list that looks like a real answer."""
    refuse_unknown_parameters(request, tuple(choices), "Unknown filter", "filter by one of")
    problems = [
        f"{name}: {value!r} is not one of {', '.join(allowed)}"
        for name, allowed in choices.items()
        if allowed is not None
        for value in request.query_params.getlist(name)
        if value not in allowed
    ]
    if problems:
        raise FrontError(400, "Invalid filter", problems)
    return {name: request.query_params[name] for name in choices if name in request.query_params}


def schema_choices(schema_name: str, field: str) -> tuple[str, ...]:
    """The values a field of a schemas/ document may take (its `enum`): one list for the answers and the
    filters that select them."""
    return tuple(all_schemas()[schema_name]["properties"][field]["enum"])


def teammate_message(document: dict[str, Any], uploads: list[AttachmentUpload]) -> TeammateMessage:
    """A checked outbound-reply or outbound-message document as the domain takes it.

    Empty optionals count as absent; a reply's recipients, subject and replied-to message are the
    domain's to fill in (see emulator.domain.sending).
    """
    return TeammateMessage(
        body=document["body"],
        recipients=tuple(Recipient(handle=handle, role="to") for handle in document.get("to") or ()),
        author_id=document.get("author_id") or None,
        subject=document.get("subject") or None,
        archive=bool((document.get("options") or {}).get("archive", True)),
        attachments=tuple(uploads),
    )


def channel_from_document(document: dict[str, Any], new_id: str) -> Channel:
    """A checked create-channel document; `new_id` when it names no id of its own."""
    return Channel(
        id=document.get("id") or new_id,
        address=document["address"],
        name=document.get("name") or document["address"],
        type=document.get("type", "custom"),
        settings=replace(ChannelSettings(), **(document.get("settings") or {})),
    )
