"""The one id source: Front-looking ids and message uids, reproducible from a seed."""

from __future__ import annotations

import random

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
# Every two-digit group, so an id's seven or eight digits take four divisions rather than eight (ids are
# formatted for every message created).
_PAIRS = [high + low for high in _ALPHABET for low in _ALPHABET]
_PAIR_RANGE = 36 * 36


def base36(number: int) -> str:
    groups = []
    while number >= _PAIR_RANGE:
        number, rest = divmod(number, _PAIR_RANGE)
        groups.append(_PAIRS[rest])
    groups.append(_ALPHABET[number] if number < 36 else _PAIRS[number])
    return "".join(reversed(groups))


class IdSource:
    """Ids are a per-prefix counter from a seeded start, so they never collide and replay identically."""

    def __init__(self, seed: int | None) -> None:
        # Without a seed, draw one: `reset` then replays this run's ids instead of starting a new series.
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2**63)
        self._random = random.Random(self.seed)
        self._counters: dict[str, int] = {}
        # prefix -> (counter // 1296, the id's text before its last two digits): a cache, not state.
        self._leads: dict[str, tuple[int, str]] = {}

    def reset(self) -> None:
        """Back to the seed: the same requests after a reset give the same ids and uids again."""
        self._random.seed(self.seed)
        self._counters = {}

    def state(self) -> tuple[object, dict[str, int]]:
        """Everything `restore` needs to continue exactly from here (for snapshots)."""
        return self._random.getstate(), dict(self._counters)

    def restore(self, state: tuple[object, dict[str, int]]) -> None:
        random_state, counters = state
        self._random.setstate(random_state)  # type: ignore[arg-type]
        self._counters = dict(counters)

    def new_id(self, prefix: str) -> str:
        counter = self._counters.get(prefix)
        if counter is None:
            # Front ids look like `msg_1q15qmtq`: start somewhere in the 7-8 base-36 digit range.
            counter = self._random.randrange(36**6, 36**7)
        counter += 1
        self._counters[prefix] = counter
        # Consecutive ids share all but their last two digits: the rest is formatted once per 1296 ids.
        high, low = divmod(counter, _PAIR_RANGE)
        cached = self._leads.get(prefix)
        if cached is None or cached[0] != high:
            cached = (high, f"{prefix}_{base36(high)}")
            self._leads[prefix] = cached
        return cached[1] + _PAIRS[low]

    def new_uid(self) -> str:
        """32 hex digits, like Front's message_uid."""
        return f"{self._random.getrandbits(128):032x}"

    def random_fraction(self) -> float:
        """Draws from the same seeded stream, so delays are reproducible too."""
        return self._random.random()
