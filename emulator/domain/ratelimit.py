"""Front's rate limits: a per-minute budget for the company and a 5/s burst per resource."""

from __future__ import annotations

import math
from typing import NamedTuple

# Headers are always sent (some clients crash without them); with no limit set they count against
# this nominal budget but never refuse.
UNENFORCED_LIMIT = 10_000
BURST_PER_SECOND = 5


class RateDecision(NamedTuple):
    """One per request: a tuple, the cheapest immutable record to build."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: int
    retry_after: float = 0.0


class _Window:
    __slots__ = ("count", "reset_at", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.reset_at = math.ceil(started + 60)
        self.count = 0


class RateLimiter:
    def __init__(self, per_minute: int | None, burst: bool) -> None:
        self._limit = per_minute if per_minute is not None else UNENFORCED_LIMIT
        self._enforced = per_minute is not None
        self._burst = burst
        self._window: _Window | None = None
        self._burst_windows: dict[str, _Window] = {}

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def bursts(self) -> bool:
        """Whether the 5/s burst per resource is enforced (only then is a request's resource needed)."""
        return self._burst

    def clear(self) -> None:
        self._window = None
        self._burst_windows.clear()

    def check(self, now: float, burst_resource: str | None = None) -> RateDecision:
        """Count one request; refused requests are not counted, as a client retrying should not dig deeper."""
        window = self._window
        # A window that starts after now belongs to a clock that went back (unfrozen from a moment ahead):
        # it is over too, or its reset would stay ahead of real time until real time caught up.
        if window is None or not 0 <= now - window.started < 60:
            window = self._window = _Window(now)
        reset_at = window.reset_at
        if self._enforced and window.count >= self._limit:
            return RateDecision(False, self._limit, 0, reset_at, window.started + 60 - now)
        if self._burst and burst_resource is not None:
            burst = self._burst_windows.get(burst_resource)
            if burst is None or not 0 <= now - burst.started < 1:
                burst = self._burst_windows[burst_resource] = _Window(now)
            if burst.count >= BURST_PER_SECOND:
                remaining = max(0, self._limit - window.count)
                return RateDecision(False, self._limit, remaining, reset_at, burst.started + 1 - now)
            burst.count += 1
        window.count += 1
        return RateDecision(True, self._limit, max(0, self._limit - window.count), reset_at)
