"""The gate every Front API request passes (pure ASGI, no copies): Front's rate limits (their headers on
every answer, 429s when a limit is set) and the request journal (GET /_emulator/requests).

Both jobs sit in one middleware because both must see every request, the hot incoming_messages route
included, and a second layer would cost that route a second wrapper. The headers are built from bytes
kept between requests: the limit and the reset time change once a minute at most, and only `remaining`
is formatted per request.
"""

from __future__ import annotations

import math

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.api.faults import fire
from emulator.domain.faults import Faults
from emulator.domain.journal import MAX_BODY_BYTES, RequestJournal
from emulator.domain.store import Store
from emulator.wire.errors import FrontError
from emulator.wire.paths import CONTROL_PREFIX

_INCOMING_SUFFIX = "/incoming_messages"
_CHANNELS_PREFIX = "/channels/"
_LIMIT = b"x-ratelimit-limit"
_REMAINING = b"x-ratelimit-remaining"
_RESET = b"x-ratelimit-reset"


class RateLimitAndJournalMiddleware:
    def __init__(
        self, app: ASGIApp, store: Store, journal: RequestJournal | None = None, faults: Faults | None = None
    ) -> None:
        self.app = app
        self.store = store
        self.faults = faults if faults is not None else Faults(store.ids.seed)
        # The registry's own list: while it is empty, faults cost a request this one check.
        self._faults = self.faults.faults
        # None: nothing is journalled (the hot path then only adds the rate-limit headers).
        self.journal = journal
        # (value, header) of the last limit and reset time sent.
        self._limit: tuple[int, tuple[bytes, bytes]] = (-1, (_LIMIT, b""))
        self._reset: tuple[int, tuple[bytes, bytes]] = (-1, (_RESET, b""))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        store = self.store
        if self._faults and await fire(self.faults, store, self.journal, scope, receive, send):
            return
        limiter = store.rate_limiter
        burst_resource = _burst_resource(store, scope["method"], scope["path"]) if limiter.bursts else None
        now = store.clock.now()
        decision = limiter.check(now, burst_resource)
        if decision.limit != self._limit[0]:
            self._limit = (decision.limit, (_LIMIT, b"%d" % decision.limit))
        if decision.reset_at != self._reset[0]:
            self._reset = (decision.reset_at, (_RESET, b"%d" % decision.reset_at))
        headers = [self._limit[1], (_REMAINING, b"%d" % decision.remaining), self._reset[1]]
        if not decision.allowed:
            wait_ms = max(1, math.ceil(decision.retry_after * 1000))
            error = FrontError(429, f"Rate limit exceeded. Please retry in {wait_ms} milliseconds.")
            body = orjson.dumps(error.envelope())
            headers += [
                (b"retry-after", b"%d" % math.ceil(wait_ms / 1000)),
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            if self.journal is not None:
                self.journal.record(now, scope, 429, [], [body])
            return

        journal = self.journal
        if journal is None:

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # A new list: the app's own header list (a Response's raw_headers) is left as it was.
                    message["headers"] = [*message.get("headers", ()), *headers]
                await send(message)

            await self.app(scope, receive, send_with_headers)
            return

        # What the journal keeps: references to the body chunks as received (up to MAX_BODY_BYTES, no
        # copies) and the answer's bytes only when it is a refusal.
        body_chunks: list[bytes] = []
        answer_chunks: list[bytes] = []
        kept = 0
        status = 0

        async def receive_and_keep() -> Message:
            nonlocal kept
            message = await receive()
            # One chunk past the bound is kept, so the journal can tell the body was longer.
            if kept <= MAX_BODY_BYTES and message["type"] == "http.request":
                chunk = message.get("body", b"")
                body_chunks.append(chunk)
                kept += len(chunk)
            return message

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *headers]
            elif status >= 400:
                answer_chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_and_keep, send_and_watch)
        finally:
            # No answer started means the app raised: the server answers 500.
            journal.record(now, scope, status or 500, body_chunks, answer_chunks)


def _burst_resource(store: Store, method: str, path: str) -> str | None:
    """Front's 5/s burst applies per resource; for incoming_messages the resource is the channel."""
    if method != "POST" or not path.endswith(_INCOMING_SUFFIX) or not path.startswith(_CHANNELS_PREFIX):
        return None
    channel = store.channel(path[len(_CHANNELS_PREFIX) : -len(_INCOMING_SUFFIX)])
    return channel.id if channel is not None else None
