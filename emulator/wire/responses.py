"""Answers in Front's shape: JSON checked against schemas/ when the emulator runs with validate_responses
(as in tests), and attachment downloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import quote

import orjson
from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.messages import Attachment
from emulator.schemas import validator

Item = TypeVar("Item")


def front_json(request: Request, document: Any, schema_name: str, status_code: int = 200) -> Response:
    if request.app.state.config.validate_responses:
        validator(schema_name).check(document)
    return Response(orjson.dumps(document), status_code=status_code, media_type="application/json")


def whole_list(
    request: Request,
    path: str,
    items: Iterable[Item],
    to_json: Callable[[str, Item], Any],
    schema_name: str,
) -> Response:
    """A list Front answers whole, without pagination: its `_links.self` (`path` under the base URL) and
    every item as `to_json(base URL, item)` shows it."""
    base = base_url(request)
    results = [to_json(base, item) for item in items]
    return front_json(request, {"_links": {"self": base + path}, "_results": results}, schema_name)


def resource(
    request: Request,
    item: Item,
    to_json: Callable[[str, Item], Any],
    schema_name: str,
    status_code: int = 200,
) -> Response:
    """One resource as `to_json(base URL, item)` shows it."""
    return front_json(request, to_json(base_url(request), item), schema_name, status_code)


def base_url(request: Request) -> str:
    """Where the client reached us, so `_links` work behind any host, port or proxy prefix."""
    return str(request.base_url).rstrip("/")


def attachment_response(attachment: Attachment) -> Response:
    """The file as uploaded, named the same way by Front's API and the inspector."""
    # Set the header ourselves: Starlette would append a charset to text/* types.
    return Response(
        attachment.data,
        headers={
            "content-type": attachment.content_type,
            "content-disposition": content_disposition(attachment.filename),
        },
    )


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact UTF-8 name in `filename*`.

    Headers are Latin-1 on the wire, so a name such as 简历.pdf cannot go in `filename` as is.
    """
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\' else "_" for char in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
