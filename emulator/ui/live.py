"""Live updates for the inspector: store changes become server-sent events (GET /_emulator/ui/events).

The store calls its listeners synchronously in whatever thread changed it (the event loop, or a test's
own thread); each open event stream is an asyncio task, so changes are handed over with
call_soon_threadsafe when they come from another thread. A stream only says *what* changed; the page's
JavaScript then re-fetches its own HTML and swaps the changed fragments in, so the server renders every
state in exactly one place.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse

from emulator.domain.store import Store

# Changes kept per stream between two sends; past that the stream just says "refresh everything".
MAX_CHANGES_PER_EVENT = 50
# uvicorn waits for open responses before it shuts down (and tells the app nothing), so a stream ends
# after this long and the browser's EventSource reconnects after RETRY_MS, resuming from the
# Last-Event-ID it was given: a server with an inspector tab open still stops within a few seconds.
STREAM_SECONDS = 2.5
RETRY_MS = 250
KEEPALIVE_SECONDS = 5.0
# While inbound messages wait out their creation delay, streams settle the store this often so they
# appear on time: the store otherwise creates them only when something reads it.
SETTLE_INTERVAL = 0.2
# The request journal (app.state.journal, the control plane's) has no listeners: streams look at its
# newest entries this often for requests the emulator refused or a fault fired on.
JOURNAL_INTERVAL = 0.5


class _Subscriber:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()
        self.wakeup = asyncio.Event()
        self.changes: list[dict[str, str]] = []
        self.overflow = False

    def add(self, change: dict[str, str]) -> None:
        if len(self.changes) < MAX_CHANGES_PER_EVENT:
            self.changes.append(change)
        else:
            self.overflow = True
        self.wakeup.set()

    def take(self) -> tuple[list[dict[str, str]], bool]:
        taken, overflow = self.changes, self.overflow
        self.changes, self.overflow = [], False
        self.wakeup.clear()
        return taken, overflow


class LiveEvents:
    """Fans the store's change notifications out to every open event stream."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._counter = itertools.count(1)
        # The number of the last change; pages carry it so a stream opened later knows what it missed.
        self.sequence = 0
        self._subscribers: set[_Subscriber] = set()
        store.listeners.append(self.on_change)

    def on_change(self, kind: str, ids: dict[str, str]) -> None:
        # next() on itertools.count is atomic under the GIL, unlike `+= 1` from several threads.
        self.sequence = next(self._counter)
        if not self._subscribers:
            # No inspector open: counting is all (an app without visitors pays next to nothing).
            return
        change = {"kind": kind, **ids}
        here = threading.get_ident()
        for subscriber in list(self._subscribers):
            if subscriber.thread == here:
                subscriber.add(change)
                continue
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.add, change)
            except RuntimeError:  # that stream's loop is closed: the server is gone
                self._subscribers.discard(subscriber)

    def subscribe(self) -> _Subscriber:
        subscriber = _Subscriber()
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: _Subscriber) -> None:
        self._subscribers.discard(subscriber)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)


def live_events(app: Starlette) -> LiveEvents:
    """The app's LiveEvents, built once by create_app."""
    live: LiveEvents = app.state.ui_live
    return live


def _event(name: str, sequence: int, data: object) -> bytes:
    return b"event: %s\nid: %d\ndata: %s\n\n" % (name.encode(), sequence, orjson.dumps(data))


async def event_stream(request: Request) -> StreamingResponse:
    live = live_events(request.app)
    since = request.headers.get("last-event-id") or request.query_params.get("since")
    return StreamingResponse(
        _events(live, since, getattr(request.app.state, "journal", None)),
        media_type="text/event-stream",
        # No proxy or browser may buffer or cache the stream.
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


def _newest_entry(journal: Any) -> int:
    return journal.entries[-1].id if journal is not None and journal.entries else 0


def _journal_changes(journal: Any, seen: int) -> set[str]:
    """What the journal's entries newer than `seen` tell pages: a refused request, a faulted one (scans
    only the new entries)."""
    kinds: set[str] = set()
    for entry in reversed(journal.entries):
        if entry.id <= seen:
            break
        if entry.rejected:
            kinds.add("request_refused")
        if entry.injected_by is not None:
            kinds.add("request_faulted")
    return kinds


async def _events(live: LiveEvents, since: str | None, journal: Any) -> AsyncIterator[bytes]:
    store = live.store
    subscriber = live.subscribe()
    loop = asyncio.get_running_loop()
    journal_seen = _newest_entry(journal)
    try:
        yield b"retry: %d\n\n" % RETRY_MS
        if since is not None and since != str(live.sequence):
            # Something changed between rendering the page (or the last stream) and this stream.
            yield _event("change", live.sequence, {"changes": [], "overflow": True})
        else:
            yield _event("ready", live.sequence, {})
        end = loop.time() + STREAM_SECONDS
        last_sent = loop.time()
        while (now := loop.time()) < end:
            waiting = store.awaiting_creation_count > 0
            interval = (
                SETTLE_INTERVAL if waiting else JOURNAL_INTERVAL if journal is not None else KEEPALIVE_SECONDS
            )
            try:
                await asyncio.wait_for(subscriber.wakeup.wait(), min(interval, end - now))
            except TimeoutError:
                if waiting:
                    store.settle()  # notifies the listeners, which wakes this stream
                newest = _newest_entry(journal)
                if newest > journal_seen:
                    for kind in sorted(_journal_changes(journal, journal_seen)):
                        subscriber.add({"kind": kind})
                    journal_seen = newest
                if not subscriber.wakeup.is_set() and loop.time() - last_sent >= KEEPALIVE_SECONDS:
                    last_sent = loop.time()
                    yield _event("ping", live.sequence, {})
                continue
            changes, overflow = subscriber.take()
            last_sent = loop.time()
            yield _event("change", live.sequence, {"changes": changes, "overflow": overflow})
        # The id keeps the browser's Last-Event-ID current for the reconnection.
        yield _event("ping", live.sequence, {})
    finally:
        live.unsubscribe(subscriber)
