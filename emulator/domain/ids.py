"""The one id source: Front-looking ids and message uids, reproducible from a seed."""

from __future__ import annotations

import random

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    digits = []
    while True:
        number, rest = divmod(number, 36)
        digits.append(_ALPHABET[rest])
        if not number:
            return "".join(reversed(digits))


class IdSource:
    """Ids are a per-prefix counter from a seeded start, so they never collide and replay identically."""

    def __init__(self, seed: int | None) -> None:
        self._random = random.Random(seed)
        self._counters: dict[str, int] = {}

    def new_id(self, prefix: str) -> str:
        counter = self._counters.get(prefix)
        if counter is None:
            # Front ids look like `msg_1q15qmtq`: start somewhere in the 7-8 base-36 digit range.
            counter = self._random.randrange(36**6, 36**7)
        counter += 1
        self._counters[prefix] = counter
        return f"{prefix}_{_base36(counter)}"

    def new_uid(self) -> str:
        """32 hex digits, like Front's message_uid."""
        return f"{self._random.getrandbits(128):032x}"

    def random_fraction(self) -> float:
        """Draws from the same seeded stream, so delays are reproducible too."""
        return self._random.random()
