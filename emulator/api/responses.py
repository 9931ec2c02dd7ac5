"""JSON answers, checked against schemas/ when the emulator runs with validate_responses (as in tests)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from emulator.schemas import validator


def front_json(request: Request, document: Any, schema_name: str, status_code: int = 200) -> Response:
    if request.app.state.config.validate_responses:
        validator(schema_name).check(document)
    return Response(orjson.dumps(document), status_code=status_code, media_type="application/json")


def base_url(request: Request) -> str:
    """Where the client reached us, so `_links` work behind any host, port or proxy prefix."""
    return str(request.base_url).rstrip("/")
