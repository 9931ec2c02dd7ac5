"""The gate: the one middleware every request passes (pure ASGI, no copies).

- Every request: the guard's refusals (emulator/guard.py), a Host the emulator is not known by (421) and,
  on the control plane and the inspector, a state-changing request from another site's page (403).
- Front API requests (everything outside /_emulator): the faults that fire on them
  (emulator/api/faults.py), Front's rate limits (their headers on every answer, 429s when a limit is set)
  and the request journal (GET /_emulator/requests).
- The routes that take messages in, `POST /channels/{channel_id}/incoming_messages`, `…/inbound_messages`
  and `…/outbound_messages` (the hot routes, emulator/api/hot_path.py), go from here straight to their
  endpoints.

Why one layer: all of it must see every request, the hot routes included, and each layer costs a request
a call and a wrapper of `receive` and `send` (the guard, the gate and Starlette's server-error and
exception middlewares and router were about a third of an incoming message's time in-process). The gate
is the outermost layer of the app's stack (`EmulatorApp` in emulator/app.py), so what it journals is what
the client got, Starlette's 500 answer included. For the hot routes it does what Starlette's layers would:
it takes exactly the paths Starlette's router would give those routes (anything else, a trailing slash
say, goes through the router and its 404 or 405), sets the path parameter as the router does, and answers
an endpoint's exception with the app's own exception handlers, the unexpected ones as a 500 that is
raised on to the server. The rate-limit headers are built from bytes kept between requests: the limit and
the reset time change once a minute at most, and only `remaining` is formatted per request.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.api.faults import fire
from emulator.config import Config
from emulator.domain.faults import Faults
from emulator.domain.journal import MAX_BODY_BYTES, RequestJournal
from emulator.domain.store import Store
from emulator.guard import Guard
from emulator.wire.errors import FrontError
from emulator.wire.paths import CONTROL_PREFIX

ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]

_INCOMING_SUFFIX = "/incoming_messages"
_CHANNELS_PREFIX = "/channels/"
_LIMIT = b"x-ratelimit-limit"
_REMAINING = b"x-ratelimit-remaining"
_RESET = b"x-ratelimit-reset"


class Gate:
    def __init__(
        self,
        app: ASGIApp,
        config: Config,
        store: Store,
        journal: RequestJournal,
        faults: Faults,
        hot_routes: Mapping[str, ASGIApp],
        exception_handlers: Mapping[Any, ExceptionHandler],
    ) -> None:
        """`hot_routes`: the endpoint of each `POST /channels/{channel_id}/<name>` route by its <name>, the
        same objects the app's router has; `exception_handlers`: the app's own."""
        self.app = app
        self.store = store
        self.journal = journal
        self.faults = faults
        # The registry's own list: while it is empty, faults cost a request this one check.
        self._faults = faults.faults
        self.guard = Guard(config)
        self._trusted_hosts = self.guard.trusted_hosts
        self._hot_routes = dict(hot_routes)
        self._handlers = {
            kind: handler for kind, handler in exception_handlers.items() if kind is not Exception
        }
        self._unexpected = exception_handlers[Exception]
        # (value, header) of the last limit and reset time sent.
        self._limit: tuple[int, tuple[bytes, bytes]] = (-1, (_LIMIT, b""))
        self._reset: tuple[int, tuple[bytes, bytes]] = (-1, (_RESET, b""))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
                break
        if host is not None and host not in self._trusted_hosts:
            refusal = self.guard.refuses_host(host)
            if refusal is not None:
                await self._refuse(scope, send, 421, refusal)
                return
        path: str = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            refusal = self.guard.refuses_origin(scope, host)
            if refusal is not None:
                await self._refuse(scope, send, 403, refusal)
                return
            await self.app(scope, receive, send)
            return

        store = self.store
        journal = self.journal
        if self._faults and await fire(self.faults, store, journal, scope, receive, send):
            return
        limiter = store.rate_limiter
        burst_resource = _burst_resource(store, scope["method"], path) if limiter.bursts else None
        now = store.clock.now()
        decision = limiter.check(now, burst_resource)
        if decision.limit != self._limit[0]:
            self._limit = (decision.limit, (_LIMIT, b"%d" % decision.limit))
        if decision.reset_at != self._reset[0]:
            self._reset = (decision.reset_at, (_RESET, b"%d" % decision.reset_at))
        headers = [self._limit[1], (_REMAINING, b"%d" % decision.remaining), self._reset[1]]
        if not decision.allowed:
            await self._refuse_rate(scope, send, now, decision.retry_after, headers)
            return

        endpoint = channel_id = None
        if path.startswith(_CHANNELS_PREFIX) and scope["method"] == "POST" and not scope.get("root_path"):
            channel_id, _, name = path[len(_CHANNELS_PREFIX) :].partition("/")
            endpoint = self._hot_routes.get(name) if channel_id else None

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
                # A new list: the app's own header list (a Response's raw_headers) is left as it was.
                message["headers"] = [*message.get("headers", ()), *headers]
            elif status >= 400:
                answer_chunks.append(message.get("body", b""))
            await send(message)

        try:
            if endpoint is None:
                await self.app(scope, receive_and_keep, send_and_watch)
            else:
                scope["path_params"] = {"channel_id": channel_id}
                try:
                    await endpoint(scope, receive_and_keep, send_and_watch)
                except Exception as exc:
                    await self._answer_exception(exc, scope, receive_and_keep, send_and_watch, status != 0)
        finally:
            # No answer started means the app raised and nothing could answer: the server answers 500.
            journal.record(now, scope, status or 500, body_chunks, answer_chunks)

    async def _answer_exception(
        self, exc: Exception, scope: Scope, receive: Receive, send: Send, started: bool
    ) -> None:
        """A hot endpoint's exception, answered as Starlette's exception and server-error middlewares
        answer the other routes'."""
        handler = next((self._handlers[kind] for kind in type(exc).__mro__ if kind in self._handlers), None)
        if handler is not None:
            if started:
                raise RuntimeError("Caught handled exception, but response already started.") from exc
            response = await handler(Request(scope, receive), exc)
            await response(scope, receive, send)
            # Reused exception instances would gather tracebacks across requests.
            exc.__traceback__ = None
            return
        if not started:
            response = await self._unexpected(Request(scope), exc)
            await response(scope, receive, send)
        # On to the server, which logs it (a test client raises it).
        raise exc

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str) -> None:
        """The guard's refusal, in Front's envelope."""
        body = orjson.dumps(FrontError(status, message).envelope())
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        # Journalled first: whoever sees the answer then finds it in GET /_emulator/requests.
        self.journal.record(self.store.clock.now(), scope, status, [], [body])
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _refuse_rate(
        self, scope: Scope, send: Send, now: float, retry_after: float, headers: list[tuple[bytes, bytes]]
    ) -> None:
        wait_ms = max(1, math.ceil(retry_after * 1000))
        error = FrontError(429, f"Rate limit exceeded. Please retry in {wait_ms} milliseconds.")
        body = orjson.dumps(error.envelope())
        headers += [
            (b"retry-after", b"%d" % math.ceil(wait_ms / 1000)),
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(body)),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self.journal.record(now, scope, 429, [], [body])


def _burst_resource(store: Store, method: str, path: str) -> str | None:
    """Front's 5/s burst applies per resource; for incoming_messages the resource is the channel."""
    if method != "POST" or not path.endswith(_INCOMING_SUFFIX) or not path.startswith(_CHANNELS_PREFIX):
        return None
    channel = store.channel(path[len(_CHANNELS_PREFIX) : -len(_INCOMING_SUFFIX)])
    return channel.id if channel is not None else None
