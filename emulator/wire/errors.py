"""Front's `_error` envelope for every error the emulator answers, the domain's Refusals included."""

from __future__ import annotations

import logging

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.domain.rules import Refusal, RefusalKind
from emulator.schemas import validator

logger = logging.getLogger("emulator")

TITLES = {
    400: "Bad request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    421: "Misdirected request",
    429: "Too many requests",
    431: "Request header fields too large",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


class FrontError(Exception):
    """An answer in Front's error envelope; raise it anywhere in a route."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers

    def envelope(self) -> dict[str, object]:
        error: dict[str, object] = {
            "status": self.status,
            "title": TITLES.get(self.status, "Error"),
            "message": self.message,
        }
        if self.details:
            error["details"] = self.details
        return {"_error": error}


# The domain says why it refuses; Front's status for each kind of reason.
REFUSAL_STATUS: dict[RefusalKind, int] = {"invalid": 400, "forbidden": 403, "not_found": 404, "conflict": 409}


def front_error(refusal: Refusal) -> FrontError:
    return FrontError(REFUSAL_STATUS[refusal.kind], refusal.message, list(refusal.details) or None)


def error_response(error: FrontError) -> Response:
    return Response(
        orjson.dumps(error.envelope()),
        status_code=error.status,
        headers=error.headers,
        media_type="application/json",
    )


def _answer(request: Request, error: FrontError) -> Response:
    if request.app.state.config.validate_responses:
        validator("error").check(error.envelope())
    return error_response(error)


async def handle_front_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FrontError)
    return _answer(request, exc)


async def handle_refusal(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refusal)
    return _answer(request, front_error(exc))


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 and multipart parse errors, put in Front's envelope."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"No route matches {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers = {name: value for name, value in headers.items() if name.lower() != "allow"}
        headers["allow"] = allowed_methods(request)
    return _answer(request, FrontError(exc.status_code, message, headers=headers))


def allowed_methods(request: Request) -> str:
    """Every method some route takes at this path: Starlette's 405 names only the first route's, and a
    path is often served by one route per method (GET and PATCH /conversations/{id})."""
    path = request.scope["path"]
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(path):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("emulator bug while answering %s %s", request.method, request.url.path)
    message = f"The emulator failed on this request ({type(exc).__name__}); this is a bug in front-emulator"
    return error_response(FrontError(500, message))
