"""Snapshots of the store: take one, change things, go back to it.

A snapshot is the store's `capture` (every attribute that is state, so state another part of the emulator
adds to the store later is captured too, in copied index structures that share the immutable messages)
and the id source's position. Only the newest MAX_SNAPSHOTS are kept: taking one more evicts the oldest,
whose restore then answers 404 saying so.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.domain.rules import Refusal

MAX_SNAPSHOTS = 10

if TYPE_CHECKING:
    from emulator.domain.store import Store


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: str
    taken_at: float
    state: dict[str, Any]
    ids: tuple[object, dict[str, int]]


class Snapshots:
    """The snapshots taken of one store; its `load_workspace` (reset, seed) forgets them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Oldest first (dicts keep insertion order).
        self._taken: dict[str, Snapshot] = {}
        # The snapshot the last `take` evicted to stay within MAX_SNAPSHOTS, if any.
        self.evicted: str | None = None
        # Not from the store's IdSource: restoring rewinds that, and a later snapshot would reuse an id.
        self._numbers = itertools.count(1)

    def take(self) -> Snapshot:
        store = self.store
        in_flight = store.outbox.in_flight
        if in_flight:
            # A message caught half-sent could never finish after a restore: refuse rather than lose it.
            raise Refusal(
                "conflict",
                f"{in_flight} delivery(ies) in flight: wait for them "
                "(POST /_emulator/wait with deliveries) and take the snapshot again",
            )
        store.settle()
        number = next(self._numbers)
        snapshot = Snapshot(f"snap_{number}", store.clock.now(), store.capture(), store.ids.state())
        self._taken[snapshot.id] = snapshot
        self.evicted = None
        if len(self._taken) > MAX_SNAPSHOTS:
            self.evicted = next(iter(self._taken))
            del self._taken[self.evicted]
        return snapshot

    def get(self, snapshot_id: str) -> Snapshot | None:
        return self._taken.get(snapshot_id)

    def restore(self, snapshot: Snapshot) -> None:
        """Put the store back as it was; the snapshot stays, so it can be restored again."""
        self.store.ids.restore(snapshot.ids)
        self.store.restore(snapshot.state)

    def clear(self) -> None:
        self._taken.clear()
        self.evicted = None
