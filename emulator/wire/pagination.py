"""Front's pagination of lists: `limit`, an opaque `page_token`, `_pagination.next` and `_links.self`."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

from starlette.requests import Request

from emulator.wire.errors import FrontError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_OFFSET_PREFIX = b"offset:"

Item = TypeVar("Item")


def page_limit(request: Request) -> int:
    text = request.query_params.get("limit")
    if text is None:
        return DEFAULT_PAGE_SIZE
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise FrontError(
            400, "Invalid query parameter", [f"/limit: must be an integer from 1 to {MAX_PAGE_SIZE}"]
        )
    return int(text)


def sort_order(request: Request) -> str:
    """`asc` or `desc` (the default), as Front's `sort_order` says."""
    order = request.query_params.get("sort_order", "desc")
    if order not in ("asc", "desc"):
        raise FrontError(400, "Invalid query parameter", ["/sort_order: must be one of: asc, desc"])
    return order


def page_token(kind: bytes, position: int) -> str:
    """An opaque `page_token` for the page at `position`; `kind` (e.g. `b"offset:"`) says what it counts."""
    return base64.urlsafe_b64encode(kind + str(position).encode()).decode()


def page_token_position(request: Request, kind: bytes) -> int | None:
    """The position in the request's `page_token` (None without one); 400 unless this emulator issued it
    as a `kind` token."""
    token = request.query_params.get("page_token")
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    position = raw[len(kind) :]
    if not raw.startswith(kind) or not position.isdigit():
        raise FrontError(
            400, "Invalid query parameter", ["/page_token: is not a page token this emulator issued"]
        )
    return int(position)


def self_link(request: Request, link: str) -> str:
    """`link` with the query the client sent, so a later page's self names that page."""
    query = request.url.query
    return f"{link}?{query}" if query else link


def page(request: Request, items: Sequence[Item], link: str) -> tuple[list[Item], dict[str, object]]:
    """The page of `items` (already in the order answered) the request asks for, and the list's
    `_pagination` and `_links`; the next page keeps every other query parameter."""
    limit = page_limit(request)
    start = page_token_position(request, _OFFSET_PREFIX) or 0
    chosen = list(items[start : start + limit])
    next_link = None
    if start + limit < len(items):
        token = page_token(_OFFSET_PREFIX, start + limit)
        kept = [(key, value) for key, value in request.query_params.multi_items() if key != "page_token"]
        next_link = f"{link}?{urlencode([*kept, ('page_token', token)])}"
    return chosen, {"_pagination": {"next": next_link}, "_links": {"self": self_link(request, link)}}
