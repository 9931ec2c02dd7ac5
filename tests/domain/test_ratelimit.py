"""RateLimiter: a per-minute company budget and a 5/s burst per resource, refused requests not counted."""

from __future__ import annotations

import pytest

from emulator.domain.ratelimit import BURST_PER_SECOND, UNENFORCED_LIMIT, RateLimiter

T = 1_800_000_000.0


def test_the_minute_budget_refuses_past_the_limit_and_says_when_to_come_back() -> None:
    limiter = RateLimiter(2, burst=False)
    first, second, third = (limiter.check(T + offset) for offset in (0, 10, 20))
    assert (first.allowed, first.remaining, second.allowed, second.remaining) == (True, 1, True, 0)
    assert not third.allowed and third.retry_after == pytest.approx(40)
    assert third.reset_at == int(T + 60)
    assert limiter.check(T + 60).allowed


def test_refused_requests_do_not_dig_deeper() -> None:
    limiter = RateLimiter(1, burst=False)
    limiter.check(T)
    for offset in range(1, 30):
        assert not limiter.check(T + offset).allowed
    assert limiter.check(T + 60).remaining == 0


def test_the_burst_is_per_resource_and_per_second() -> None:
    limiter = RateLimiter(None, burst=True)
    assert all(limiter.check(T, "cha_1").allowed for _ in range(BURST_PER_SECOND))
    refused = limiter.check(T + 0.5, "cha_1")
    assert not refused.allowed and refused.retry_after == pytest.approx(0.5)
    assert limiter.check(T + 0.5, "cha_2").allowed
    assert limiter.check(T + 1, "cha_1").allowed
    assert limiter.check(T + 0.5).allowed


def test_without_a_limit_nothing_is_refused_but_headers_still_count() -> None:
    limiter = RateLimiter(None, burst=False)
    decisions = [limiter.check(T) for _ in range(100)]
    assert all(decision.allowed for decision in decisions)
    assert (decisions[-1].limit, decisions[-1].remaining) == (UNENFORCED_LIMIT, UNENFORCED_LIMIT - 100)


def test_clear_gives_fresh_budgets() -> None:
    limiter = RateLimiter(1, burst=True)
    limiter.check(T, "cha_1")
    limiter.clear()
    assert limiter.check(T, "cha_1").allowed
