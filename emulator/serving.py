"""The HTTP server of `front-emulator serve`: uvicorn, with the bounds it lacks and a prompt, clean stop.

Uvicorn (httptools) has no limit on a request's header size and no timeout on a request that stops
arriving, and on SIGTERM it waits for every request in flight (a 60 s long-poll, a client stuck
mid-body) and then exits 143. Here:

- a request's line and headers larger than `Config.max_header_bytes` (64 KiB) are answered 431;
- a request whose line and headers are not complete `Config.header_timeout` seconds (10) after its first
  byte, or whose body stops arriving for `Config.body_idle_timeout` seconds (10), is answered 408 and its
  connection closed (only closed if an answer had begun);
- on SIGTERM or SIGINT the emulator stops accepting connections, answers requests still arriving 503,
  answers waits at once and ends deliveries as interrupted (`stop_serving` in emulator/app.py), and exits
  with status 0 within about a second.

Each answer is Front's `_error` envelope with `Connection: close`, and the connection is closed only once
the client can have read it: this side ends first and what still arrives is discarded for up to
LINGER_SECONDS (closing with unread bytes would reset the connection, which can destroy the answer). The
bounds are checked by one timer per connection, so the incoming_messages hot path only pays for noting
when its bytes arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
import threading
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import orjson
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from emulator.config import Config
from emulator.wire.errors import TITLES, FrontError

# How long uvicorn may still wait for answers in flight once the emulator has told them to end.
GRACEFUL_SHUTDOWN_SECONDS = 1

# The store keeps every message, so a busy server's heap only grows, and with CPython's default thresholds
# (700, 10, 10) a full collection walks all of it each time it has grown by a quarter: about 14 % of the
# server's time over 200 000 messages (benchmarks/README.md). Here a full collection waits for 1000 of the
# middle generation's (7 million allocations, still only once the heap has grown by a quarter); the young
# generations keep CPython's sizes, so their pauses stay a few milliseconds. What startup built (modules,
# the workspace, its history) is frozen out of every collection.
GC_THRESHOLDS = (700, 10, 1000)

_IDLE, _HEADERS, _BODY = 0, 1, 2
# How long a refused connection still takes (and discards) the client's bytes before it is closed.
LINGER_SECONDS = 2.0


def _raw_error(status: int, message: str) -> bytes:
    body = orjson.dumps(FrontError(status, message).envelope())
    head = (
        f"HTTP/1.1 {status} {TITLES[status]}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header size limit, header and body timeouts, and a shutdown
    that answers a request still arriving instead of waiting for it forever."""

    max_header_bytes = 64 * 1024
    header_timeout = 10.0
    body_idle_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._phase = _IDLE
        self._phase_started = 0.0
        self._last_data = 0.0
        # Bytes received while a request's line and headers were still arriving (an upper bound).
        self._header_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None
        # Set when the parser was stopped because the headers are too large (uvicorn then answers 400).
        self._headers_too_large = False
        # Set once a refusal was answered: what still arrives is discarded until the connection closes.
        self._lingering = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that sends nothing at all is held no longer than one whose headers stall.
        self._phase = _HEADERS
        self._phase_started = self._last_data = self.loop.time()
        self._deadline = self.loop.call_later(self.header_timeout, self._check_deadline)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return
        self._last_data = self.loop.time()
        if self._phase != _BODY:
            self._header_bytes += len(data)
        super().data_received(data)
        if self._phase == _HEADERS and self._header_bytes > self.max_header_bytes:
            self._refuse(431, self._too_large())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._phase = _HEADERS
        self._phase_started = self.loop.time()

    def on_headers_complete(self) -> None:
        # Only when the coarse count says it may be too large, count the request line and headers exactly.
        if self._header_bytes > self.max_header_bytes:
            size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
            if size > self.max_header_bytes:
                self._headers_too_large = True
                # httptools turns this into a parser error, which uvicorn answers with send_400_response.
                raise ValueError("headers too large")
        self._phase = _BODY
        self._header_bytes = 0
        if self.body_idle_timeout < self.header_timeout and self._deadline is not None:
            # The timer was set for the headers' deadline, which may be later than the body's.
            due = self.loop.time() + self.body_idle_timeout
            if self._deadline.when() > due:
                self._deadline.cancel()
                self._deadline = self.loop.call_at(due, self._check_deadline)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._phase = _IDLE
        self._header_bytes = 0
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._headers_too_large:
            self._refuse(431, self._too_large())
        else:
            super().send_400_response(msg)

    def shutdown(self) -> None:
        if self._phase != _IDLE and (self.cycle is None or not self.cycle.response_started):
            # Closed at once: the server is stopping, and a lingering connection would hold it up.
            self._refuse(
                503, "The emulator is shutting down: this request was not complete yet.", linger=False
            )
            return
        super().shutdown()

    def _too_large(self) -> str:
        return (
            f"The request line and headers are larger than the {self.max_header_bytes // 1024} KiB "
            "the emulator accepts."
        )

    def _check_deadline(self) -> None:
        self._deadline = None
        if self._lingering or self.transport.is_closing():
            return
        now = self.loop.time()
        if self._phase == _HEADERS:
            due = self._phase_started + self.header_timeout
            message = f"The request line and headers did not arrive within {self.header_timeout:g} s."
        elif self._phase == _BODY and not self.flow.read_paused:
            due = self._last_data + self.body_idle_timeout
            message = f"The request body stopped arriving for {self.body_idle_timeout:g} s."
        else:
            # Between requests uvicorn's keep-alive timeout applies; while the app is not reading the
            # body (flow control paused it), the client is not the one stalling.
            interval = min(self.header_timeout, self.body_idle_timeout)
            self._deadline = self.loop.call_later(interval, self._check_deadline)
            return
        if now < due:
            self._deadline = self.loop.call_later(due - now, self._check_deadline)
        else:
            self._refuse(408, message)

    def _refuse(self, status: int, message: str, linger: bool = True) -> None:
        """Answer in Front's envelope and close, or only close when an answer has already begun."""
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            self.transport.write(_raw_error(status, message))
        if self.cycle is not None and not self.cycle.response_complete:
            # Whatever the app still sends for this request goes nowhere.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self._phase = _IDLE
        if linger:
            self._close_after_answer()
        else:
            self.transport.close()

    def _close_after_answer(self) -> None:
        """Closing a socket with unread bytes makes the kernel reset the connection, and a reset can destroy
        the answer before the client has read it (a client still sending its oversized headers, say). So,
        as web servers do: end this side, discard what still arrives, and close when the client does or
        LINGER_SECONDS later."""
        self._lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def bounded_protocol(config: Config) -> type[BoundedHttpToolsProtocol]:
    """The protocol class uvicorn builds for each connection, with the config's bounds."""
    return type(
        "EmulatorHttpProtocol",
        (BoundedHttpToolsProtocol,),
        {
            "max_header_bytes": config.max_header_bytes,
            "header_timeout": config.header_timeout,
            "body_idle_timeout": config.body_idle_timeout,
        },
    )


class EmulatorServer(uvicorn.Server):
    """uvicorn.Server that, on shutdown, first tells the app to end what it holds (`before_shutdown`),
    and that exits normally after a SIGTERM or SIGINT instead of re-raising it (status 0, not 143)."""

    def __init__(self, config: uvicorn.Config, before_shutdown: Callable[[], Awaitable[None]]) -> None:
        super().__init__(config)
        self._before_shutdown = before_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Concurrently: uvicorn stops accepting and waits for answers while the app ends waits and
        # deliveries, which is what lets those answers come.
        ending = asyncio.ensure_future(self._before_shutdown())
        try:
            await super().shutdown(sockets)
        finally:
            await ending

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def tune_garbage_collector() -> None:
    """For a process that only serves (`front-emulator serve`), once its app is built: not for one that
    runs the app beside other work, such as a test session's live server."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def server_for(app: Any, config: Config, log_level: str = "warning") -> EmulatorServer:
    """The server `front-emulator serve` runs `app` (built by create_app) with."""
    uvicorn_config = uvicorn.Config(
        app,
        http=bounded_protocol(config),
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    return EmulatorServer(uvicorn_config, lambda: app.state.stop_serving())
