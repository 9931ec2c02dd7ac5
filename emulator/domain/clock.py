"""The one clock of the emulator: real by default, frozen and advanced by hand in tests."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Unix time in seconds."""
        ...


class RealClock:
    def now(self) -> float:
        return time.time()


class FrozenClock:
    """Time moves only when `advance` is called, so delays happen without sleeping."""

    def __init__(self, start: float) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds
