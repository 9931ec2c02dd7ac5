"""The clock: real by default; frozen and advanced by hand so creation delays and undo windows happen
when a test says so, without sleeping."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.clock import ClockError, ClockRangeError, ControllableClock
from emulator.wire.documents import control_document
from emulator.wire.errors import FrontError
from emulator.wire.responses import front_json


def _clock(request: Request) -> ControllableClock:
    clock = request.app.state.store.clock
    if not isinstance(clock, ControllableClock):
        raise FrontError(
            409, f"This emulator was built with a {type(clock).__name__}, which cannot be controlled"
        )
    return clock


def _answer(request: Request, clock: ControllableClock) -> Response:
    return front_json(request, {"mode": clock.mode, "now": clock.now()}, "clock")


def _time_moved(request: Request) -> None:
    """Whatever became due happens now: inbound messages are created (waking long-polls through the
    store's listeners) and the delivery engine looks for messages whose undo window is over."""
    request.app.state.store.settle()
    request.app.state.engine.wake()


async def get_clock(request: Request) -> Response:
    return _answer(request, _clock(request))


async def freeze(request: Request) -> Response:
    clock = _clock(request)
    document = await control_document(request, "clock-freeze", empty={})
    # The schema's maximum is the clock's LATEST_TIME: a time the clock would refuse never gets here.
    clock.freeze(document.get("at"))
    _time_moved(request)
    return _answer(request, clock)


async def advance(request: Request) -> Response:
    clock = _clock(request)
    document = await control_document(request, "clock-advance")
    try:
        clock.advance(document["seconds"])
    except ClockRangeError as error:
        raise FrontError(400, "Time out of range", [f"/seconds: {error}"]) from None
    except ClockError as error:
        raise FrontError(409, f"Cannot advance: {error} (POST /_emulator/clock/freeze)") from None
    _time_moved(request)
    return _answer(request, clock)


async def unfreeze(request: Request) -> Response:
    clock = _clock(request)
    clock.unfreeze()
    _time_moved(request)
    return _answer(request, clock)
