"""The controllable clock: real until frozen, moved only by `advance`, bounded to renderable times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator.domain.clock import (
    LATEST_TIME,
    MAX_ADVANCE_SECONDS,
    ClockError,
    ClockRangeError,
    ControllableClock,
    FrozenClock,
)

START = 1_800_000_000.0


def test_frozen_time_moves_only_when_advanced() -> None:
    clock = ControllableClock()
    assert clock.mode == "real"
    assert clock.freeze(START) == START
    assert (clock.mode, clock.now(), clock.now()) == ("frozen", START, START)
    assert clock.advance(1.5) == START + 1.5
    assert clock.freeze(START - 10) == START - 10


def test_freezing_without_a_time_stops_where_the_clock_is() -> None:
    clock = ControllableClock(frozen_at=START)
    assert clock.freeze() == START


def test_advance_refuses_a_real_clock_and_unreasonable_steps() -> None:
    clock = ControllableClock()
    with pytest.raises(ClockError, match="freeze it before advancing it"):
        clock.advance(1)
    clock.freeze(START)
    for seconds in (0, -1, MAX_ADVANCE_SECONDS + 1):
        with pytest.raises(ClockError):
            clock.advance(seconds)
    assert clock.now() == START


@pytest.mark.parametrize("at", [-1, LATEST_TIME + 1, 253402300800, 1e12, 1e23, float("nan")])
def test_freezing_outside_the_renderable_range_is_refused(at: float) -> None:
    clock = ControllableClock(frozen_at=START)
    with pytest.raises(ClockRangeError, match=r"it must stay within 0 .* in Unix seconds"):
        clock.freeze(at)
    assert clock.now() == START


def test_the_whole_range_renders_as_dates_with_a_maximal_advance_to_spare() -> None:
    clock = ControllableClock()
    assert clock.freeze(0) == 0
    assert clock.freeze(LATEST_TIME) == LATEST_TIME
    datetime.fromtimestamp(LATEST_TIME + MAX_ADVANCE_SECONDS, UTC)


def test_advancing_past_the_range_is_refused_and_leaves_the_clock() -> None:
    clock = ControllableClock(frozen_at=LATEST_TIME - 10)
    with pytest.raises(ClockRangeError, match="past"):
        clock.advance(11)
    assert clock.advance(10) == LATEST_TIME


def test_unfreeze_and_reset() -> None:
    clock = ControllableClock()
    clock.freeze(START)
    assert clock.unfreeze() > START - 10**9 and clock.mode == "real"
    clock.freeze(START)
    clock.reset()
    assert clock.mode == "real"
    frozen = FrozenClock(START)
    frozen.advance(5)
    frozen.reset()
    assert (frozen.mode, frozen.now()) == ("frozen", START)


def test_frozen_clock_accepts_a_zero_step_but_never_goes_back() -> None:
    clock = FrozenClock(START)
    assert clock.advance(0) == START
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
