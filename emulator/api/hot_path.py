"""What the routes that take messages in share as plain ASGI endpoints: `incoming_messages` (custom
channels) and the Channel API's `inbound_messages` and `outbound_messages` syncs.

These are the emulator's hot paths, so their endpoints are plain ASGI objects rather than Starlette
`Request -> Response` functions: store and config are bound once instead of fetched from `app.state` on
every request, the few headers they need are read straight from the scope, a body that arrives in one
piece costs one `receive()`, and the 202 is sent as two ASGI messages. Routing (404/405) still belongs to
Starlette's router, and every error is still a `FrontError` or a `Refusal` answered by the app's
exception handlers. Only the common case is fast: anything unusual is handed to the shared helpers every
other route uses (emulator/wire/bodies.py), so each error is worded in exactly one place.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from emulator.schemas import validator
from emulator.wire.bodies import read_body

JSON = b"application/json"
_accepted = validator("accepted-message")


def message_headers(scope: Scope) -> tuple[bytes | None, bytes | None, bytes | None]:
    """Authorization, Content-Type and Content-Length: the first occurrence of each, as Starlette's
    Headers.get answers."""
    authorization = content_type = content_length = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value if authorization is None else authorization
        elif name == b"content-type":
            content_type = value if content_type is None else content_type
        elif name == b"content-length":
            content_length = value if content_length is None else content_length
    return authorization, content_type, content_length


async def whole_body(scope: Scope, receive: Receive, declared: bytes | None, limit: int) -> bytes:
    """read_body's answer; a body announced within the limit that arrives in one message takes one await."""
    if declared is not None and not (declared.isdigit() and int(declared) <= limit):
        return await read_body(Request(scope, receive), limit)  # 413 before reading, or a strange header
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        body: bytes = message.get("body", b"")
        if len(body) <= limit:
            return body
    # Chunked, oversize or disconnected: replay the message we took to the general reader.
    first: Message | None = message

    async def replay() -> Message:
        nonlocal first
        if first is not None:
            taken, first = first, None
            return taken
        return await receive()

    return await read_body(Request(scope, replay), limit)


async def send_accepted(send: Send, message_uid: str, validate_responses: bool) -> None:
    """Front's 202 `{"status": "accepted", "message_uid": …}`, with the same two headers in the same
    order as Response(payload, 202, media_type=JSON) sends."""
    answer = {"status": "accepted", "message_uid": message_uid}
    if validate_responses:
        _accepted.check(answer)
    payload = orjson.dumps(answer)
    headers = [(b"content-length", b"%d" % len(payload)), (b"content-type", JSON)]
    await send({"type": "http.response.start", "status": 202, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
