"""Faults applied to Front API requests (the registry and its rules: emulator/domain/faults.py).

The API gate asks `fire` only while some fault exists, so without faults a request pays one empty-list
check. An injected answer is given before the request reaches its route and before the rate limiter
counts it: it changes no state. Latency is the one fault after which the request goes on as usual.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Protocol, cast

import orjson
from starlette.types import Receive, Scope, Send

from emulator.domain.faults import DROPPED_STATUS, SCOPE_KEY, Fault, Faults
from emulator.domain.journal import MAX_BODY_BYTES, RequestJournal
from emulator.domain.store import Store
from emulator.wire.errors import FrontError

_CHANNELS_PREFIX = "/channels/"
_JSON = b"application/json"


class DroppedConnection(ConnectionAbortedError):
    """Raised in place of dropping when no server connection can be found (an in-process ASGI client):
    the client's call then fails, as a dropped connection makes it fail."""


async def fire(
    faults: Faults, store: Store, journal: RequestJournal | None, scope: Scope, receive: Receive, send: Send
) -> bool:
    """Apply the fault that fires on this request, if any; True when the request was answered (or
    dropped) here, False when it goes on to its route (no fault, or latency only)."""
    fault = faults.take(scope["method"], scope["path"], _channel_id(store, scope["path"]))
    if fault is None:
        return False
    scope[SCOPE_KEY] = fault.id
    if fault.action == "latency":
        await asyncio.sleep(fault.delay())
        return False
    body_chunks = await _request_body(receive)
    now = store.clock.now()
    if fault.action == "drop_connection":
        if journal is not None:
            journal.record(now, scope, DROPPED_STATUS, body_chunks, [])
        await _drop(send)
        return True
    status, headers, body = _answer(fault, store, now)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    if journal is not None:
        journal.record(now, scope, status, body_chunks, [body] if status >= 400 else [])
    return True


def _channel_id(store: Store, path: str) -> str | None:
    """The channel a /channels/{id}/… path names (by id or alias), for faults limited to one channel."""
    if not path.startswith(_CHANNELS_PREFIX):
        return None
    reference = path[len(_CHANNELS_PREFIX) :].split("/", 1)[0]
    channel = store.channel(reference)
    return channel.id if channel is not None else reference


async def _request_body(receive: Receive) -> list[bytes]:
    """The body read to its end (the journal keeps up to MAX_BODY_BYTES of it), as a route would read it."""
    chunks: list[bytes] = []
    kept = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return chunks
        chunk = message.get("body", b"")
        if kept < MAX_BODY_BYTES:
            chunks.append(chunk)
            kept += len(chunk)
        if not message.get("more_body", False):
            return chunks


def _answer(fault: Fault, store: Store, now: float) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers: list[tuple[bytes, bytes]] = []
    if fault.action == "accept_without_creating":
        status = 202
        document: dict[str, Any] = {"status": "accepted", "message_uid": fault.lost_uid()}
    else:
        assert fault.status is not None
        status = fault.status
        message = fault.message or _default_message(fault)
        document = FrontError(status, message).envelope()
        if status == 429:
            retry_after = fault.retry_after or 0
            headers += [
                (b"retry-after", b"%d" % retry_after),
                (b"x-ratelimit-limit", b"%d" % store.rate_limiter.limit),
                (b"x-ratelimit-remaining", b"0"),
                (b"x-ratelimit-reset", b"%d" % math.ceil(now + retry_after)),
            ]
    body = orjson.dumps(document)
    headers += [(b"content-type", _JSON), (b"content-length", b"%d" % len(body))]
    return status, headers, body


def _default_message(fault: Fault) -> str:
    if fault.status == 429:
        return f"Rate limit exceeded. Please retry in {(fault.retry_after or 0) * 1000} milliseconds."
    try:
        return HTTPStatus(fault.status or 500).phrase
    except ValueError:
        return f"Error {fault.status}"


async def _drop(send: Send) -> None:
    transport = _server_transport(send)
    if transport is None:
        raise DroppedConnection("front-emulator dropped the connection (an injected fault)")
    transport.close()
    # Let the server see the connection lost before the app returns, so it neither answers a 500 nor logs
    # that no response was started.
    await asyncio.sleep(0)


class _Transport(Protocol):
    def close(self) -> None: ...

    def is_closing(self) -> bool: ...


def _server_transport(send: Send) -> _Transport | None:
    """The socket's transport behind `send`, or None.

    ASGI has no message for "close without answering", so this looks through the chain of `send`
    callables (middleware closures) for the server's own: uvicorn's is a method of its request cycle,
    which holds the transport. A bounded search: no server has more than a few layers."""
    pending: list[Callable[..., Any]] = [send]
    for _ in range(16):
        if not pending:
            return None
        candidate = pending.pop()
        transport: Any = getattr(getattr(candidate, "__self__", None), "transport", None)
        # Duck-typed: uvloop's transports do not derive from asyncio's.
        if callable(getattr(transport, "close", None)) and callable(getattr(transport, "is_closing", None)):
            return cast(_Transport, transport)
        for cell in getattr(candidate, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # a cell not yet filled
                continue
            if callable(value):
                pending.append(value)
    return None
