"""Front's rate-limit headers on every API answer, and 429s when a limit is set (pure ASGI, no copies)."""

from __future__ import annotations

import math

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.api.errors import FrontError
from emulator.domain.store import Store

CONTROL_PREFIX = "/_emulator"
_INCOMING_SUFFIX = "/incoming_messages"


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        store = self.store
        decision = store.rate_limiter.check(store.clock.now(), _burst_resource(store, scope["method"], path))
        headers = [
            (b"x-ratelimit-limit", str(decision.limit).encode()),
            (b"x-ratelimit-remaining", str(decision.remaining).encode()),
            (b"x-ratelimit-reset", str(decision.reset_at).encode()),
        ]
        if not decision.allowed:
            wait_ms = max(1, math.ceil(decision.retry_after * 1000))
            error = FrontError(429, f"Rate limit exceeded. Please retry in {wait_ms} milliseconds.")
            body = orjson.dumps(error.envelope())
            headers += [
                (b"retry-after", str(math.ceil(wait_ms / 1000)).encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _burst_resource(store: Store, method: str, path: str) -> str | None:
    """Front's 5/s burst applies per resource; for incoming_messages the resource is the channel."""
    if method != "POST" or not path.endswith(_INCOMING_SUFFIX) or not path.startswith("/channels/"):
        return None
    reference = path[len("/channels/") : -len(_INCOMING_SUFFIX)]
    channel = store.channel(reference)
    return channel.id if channel is not None else None
