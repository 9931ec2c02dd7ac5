"""A deliberately broken Outgoing endpoint: the contract runner must catch every one of its faults.

- It "verifies" the signature by checking that the header is there, so any forged request with an
  X-Front-Signature header is accepted.
- It crashes on non-ASCII text and answers with its own error format (``{"error": ...}``, HTTP 500),
  which Front cannot read.
- It answers a request without a signature with plain text, not a Front error answer.
"""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


async def outgoing(request: Request) -> Response:
    if "x-front-signature" not in request.headers:
        return PlainTextResponse("Unauthorized", status_code=401)
    message = json.loads(await request.body())
    if not message["text"].isascii():
        return JSONResponse({"error": "UnicodeEncodeError", "ok": False}, status_code=500)
    return JSONResponse({"type": "success"})


def create_broken_integration() -> Starlette:
    return Starlette(routes=[Route("/front/outgoing", outgoing, methods=["POST"])])
