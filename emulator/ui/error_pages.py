"""How the inspector says no: every FrontError or domain Refusal becomes an HTML page with Front's
status, title and details. (Forms from other sites are refused before they get here: emulator/guard.py.)"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.rules import Refusal
from emulator.ui.templating import PREFIX, render
from emulator.wire.errors import TITLES, FrontError, front_error

Endpoint = Callable[[Request], Awaitable[Response]]


def error_page(request: Request, error: FrontError) -> Response:
    context = {
        "status": error.status,
        "title": TITLES.get(error.status, "Error"),
        "message": error.message,
        "details": error.details or [],
        "back": _same_origin_referer(request),
    }
    return render(request, "error.html", context, status_code=error.status)


def _same_origin_referer(request: Request) -> str | None:
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc != request.headers.get("host") or not parts.path.startswith(PREFIX):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page(endpoint: Endpoint) -> Endpoint:
    """Refusals, FrontErrors (and Starlette's form-parsing errors) become an error page, same status."""

    @functools.wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except FrontError as error:
            return error_page(request, error)
        except Refusal as refusal:
            return error_page(request, front_error(refusal))
        except HTTPException as error:
            return error_page(request, FrontError(error.status_code, str(error.detail)))

    return wrapped
