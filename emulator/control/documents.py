"""Request bodies of the control plane: JSON whatever the Content-Type says, checked against schemas/."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from emulator.api.bodies import parse_json, read_body
from emulator.api.errors import FrontError
from emulator.schemas import validator


async def control_document(request: Request, schema_name: str, empty: dict[str, Any] | None = None) -> Any:
    """The body as JSON, valid against `schema_name`, or Front's 400 naming each bad field.

    The Content-Type is not checked: `curl -d '{…}'` sends form-urlencoded unless told otherwise, and a
    control plane meant for shell scripts should not answer 415 to that. An empty body means `empty` when
    the route has nothing to require (`POST /_emulator/clock/freeze` alone freezes now).
    """
    body = await read_body(request, request.app.state.config.max_json_bytes)
    document = empty if empty is not None and not body.strip() else parse_json(body)
    schema = validator(schema_name)
    if not schema.is_valid(document):
        raise FrontError(400, "Invalid request body", schema.details(document))
    return document


def reject_unknown_parameters(request: Request, known: tuple[str, ...]) -> None:
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise FrontError(
            400,
            "Unknown query parameter",
            [f"{name}: not a parameter here; use one of {', '.join(known)}" for name in unknown],
        )
