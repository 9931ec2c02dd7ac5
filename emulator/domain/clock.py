"""The one clock of the emulator: real by default, frozen and advanced by hand in tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Literal, Protocol

ClockMode = Literal["real", "frozen"]

# Advancing by more than this is surely a unit mistake (milliseconds for seconds), not a test's intent.
MAX_ADVANCE_SECONDS = 366 * 24 * 3600
# Pages and payloads render times as dates, and Python's dates end with year 9999: a frozen clock stays at
# least one maximal advance short of that, so every time derived from it (undo windows, creation delays)
# still renders.
LATEST_TIME = datetime(9999, 1, 1, tzinfo=UTC).timestamp() - MAX_ADVANCE_SECONDS
CLOCK_RANGE = (
    f"0 (1970-01-01) to {LATEST_TIME:.0f} "
    f"({datetime.fromtimestamp(LATEST_TIME, UTC).strftime('%Y-%m-%d')}) in Unix seconds"
)


class Clock(Protocol):
    def now(self) -> float:
        """Unix time in seconds."""
        ...


class RealClock:
    def now(self) -> float:
        return time.time()


class ControllableClock:
    """Real time until frozen; then time moves only when `advance` is called, so delays need no sleeping.

    The control plane switches it at run time (`/_emulator/clock/*`), which is why it is one object with a
    mode rather than two clocks swapped in the store: everything holding the clock sees the switch.
    """

    def __init__(self, frozen_at: float | None = None) -> None:
        # What `reset` goes back to: FrozenClock(start) stays frozen at start across resets.
        self._initial = frozen_at
        self._frozen_at = frozen_at

    @property
    def mode(self) -> ClockMode:
        return "real" if self._frozen_at is None else "frozen"

    def now(self) -> float:
        frozen_at = self._frozen_at
        return time.time() if frozen_at is None else frozen_at

    def freeze(self, at: float | None = None) -> float:
        """Stop time at `at` (Unix seconds), or where it is now; freezing a frozen clock moves it to `at`."""
        moment = self.now() if at is None else float(at)
        if not 0 <= moment <= LATEST_TIME:
            raise ClockRangeError(f"the clock cannot be frozen at {at!r}: it must stay within {CLOCK_RANGE}")
        self._frozen_at = moment
        return moment

    def advance(self, seconds: float) -> float:
        if self._frozen_at is None:
            raise ClockError("the clock is real: freeze it before advancing it")
        if not 0 < seconds <= MAX_ADVANCE_SECONDS:
            raise ClockError(f"a clock advances by more than 0 and at most {MAX_ADVANCE_SECONDS} seconds")
        if self._frozen_at + seconds > LATEST_TIME:
            raise ClockRangeError(
                f"advancing by {seconds:g} s would take the clock past {LATEST_TIME:.0f}: "
                f"it must stay within {CLOCK_RANGE}"
            )
        self._frozen_at += seconds
        return self._frozen_at

    def unfreeze(self) -> float:
        """Back to real time (which may be behind an advanced clock: what was due stays due)."""
        self._frozen_at = None
        return self.now()

    def reset(self) -> None:
        self._frozen_at = self._initial


class FrozenClock(ControllableClock):
    """A clock frozen from the start (at `start`); `advance` moves it."""

    def __init__(self, start: float) -> None:
        super().__init__(frozen_at=start)

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        if seconds == 0:
            return self.now()
        return super().advance(seconds)


class ClockError(ValueError):
    """A clock operation that makes no sense in the clock's state; the message says what to do."""


class ClockRangeError(ClockError):
    """A time outside the range every page and payload can render (CLOCK_RANGE)."""
