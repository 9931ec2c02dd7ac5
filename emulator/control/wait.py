"""POST /_emulator/wait: long-poll until a message exists or enough deliveries are journalled.

No polling loop: the route listens to the store (its `listeners` hook, called when a message is created
or a delivery recorded) and sleeps on an asyncio.Event in between. The one thing nobody announces is an
inbound message reaching the end of its creation delay on a real clock (the store creates due messages
when it is read), so the wait also wakes when the next one is due and reads the store then.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.store import MESSAGE_UID_ALIAS, Store
from emulator.wire.documents import control_document
from emulator.wire.responses import front_json

DELIVERY_FILTERS = ("channel_id", "conversation_id", "message_id", "outcome")


class Stopping:
    """Whether the server has begun to stop, and the waits to wake then (plain callbacks, not an asyncio
    primitive: an app built once may serve in more than one event loop, as the in-process fixture does)."""

    def __init__(self) -> None:
        self.stopped = False
        self.wakers: set[Callable[[], None]] = set()

    def stop(self) -> None:
        self.stopped = True
        for wake in list(self.wakers):
            wake()


# A check reads the store and answers (satisfied?, what to report either way).
Check = Callable[[], tuple[bool, dict[str, Any]]]


def _message_check(store: Store, uid: str) -> Check:
    def check() -> tuple[bool, dict[str, Any]]:
        message = store.message(MESSAGE_UID_ALIAS + uid)
        if message is None:
            return False, {"message_uid": uid}
        return True, {
            "message_uid": uid,
            "message_id": message.id,
            "conversation_id": message.conversation_id,
        }

    return check


def _deliveries_check(store: Store, count: int, filters: dict[str, str]) -> Check:
    def check() -> tuple[bool, dict[str, Any]]:
        # Counted from the outbox's counters, not the journal: deliveries the journal's bounds dropped
        # still happened (the store gives a reset or seed a new outbox, so those start again from 0).
        matching = store.outbox.recorded_count(**filters)
        return matching >= count, {"deliveries": matching}

    return check


async def wait(request: Request) -> Response:
    """200 with `satisfied: true` as soon as the condition holds, or `satisfied: false` after `timeout`
    seconds (of real time, whatever the emulator's clock says): never an error status, so a shell
    script tests one field, and a client library need not treat a timeout as an exception."""
    document = await control_document(request, "wait-request")
    store: Store = request.app.state.store
    if "message_uid" in document:
        check = _message_check(store, document["message_uid"])
    else:
        filters = {key: document[key] for key in DELIVERY_FILTERS if key in document}
        check = _deliveries_check(store, document["deliveries"], filters)
    started = time.monotonic()
    stopping: Stopping = request.app.state.stopping
    satisfied, found = await _until(store, check, float(document.get("timeout", 5)), stopping)
    answer = {"satisfied": satisfied, "waited": round(time.monotonic() - started, 3), **found}
    return front_json(request, answer, "wait-answer")


async def _until(
    store: Store, check: Check, timeout: float, stopping: Stopping
) -> tuple[bool, dict[str, Any]]:
    """The condition's answer once it holds, the timeout passes, or the server stops (then unsatisfied)."""
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()
    here = threading.get_ident()

    def listener(kind: str, ids: dict[str, str]) -> None:
        # Listeners run in the thread that changed the store; an asyncio.Event belongs to this loop.
        if threading.get_ident() == here:
            changed.set()
        else:
            loop.call_soon_threadsafe(changed.set)

    deadline = loop.time() + timeout
    store.listeners.append(listener)
    stopping.wakers.add(changed.set)
    try:
        while True:
            satisfied, found = check()
            remaining = deadline - loop.time()
            if satisfied or remaining <= 0 or stopping.stopped:
                return satisfied, found
            next_due = store.next_creation_at()
            if next_due is not None and getattr(store.clock, "mode", "real") == "real":
                # The next inbound message will be due then: wake to create it (a frozen clock moves only
                # through /_emulator/clock/advance, which creates what is due and so notifies us).
                remaining = min(remaining, max(0.0, next_due - store.clock.now()) + 0.001)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
            changed.clear()
    finally:
        store.listeners.remove(listener)
        stopping.wakers.discard(changed.set)
