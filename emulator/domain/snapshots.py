"""Snapshots of the store: take one, change things, go back to it.

A snapshot is a deep copy of every attribute of the store except its wiring (clock, id source object,
settings, listeners), so state another part of the emulator adds to the store later is captured too. One
deepcopy call covers all of it, so objects shared between indexes (a message in `_messages`, in
`_messages_by_uid` and in its conversation's list) stay shared in the copy.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Any

from emulator.domain.store import Store

# Injected or configured once, not state: a snapshot leaves them as they are. The clock is not part of
# a snapshot either: time does not go back.
_WIRING = frozenset(
    {
        "initial_workspace",
        "clock",
        "ids",
        "creation_delay",
        "rate_limiter",
        "normalise_phone_handles",
        "listeners",
    }
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: str
    taken_at: float
    state: dict[str, Any]
    ids: tuple[object, dict[str, int]]


class Snapshots:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._taken: dict[str, Snapshot] = {}
        # Not from the store's IdSource: restoring rewinds that, and a later snapshot would reuse an id.
        self._numbers = itertools.count(1)

    def take(self) -> Snapshot:
        store = self.store
        state = copy.deepcopy({name: value for name, value in vars(store).items() if name not in _WIRING})
        snapshot = Snapshot(f"snap_{next(self._numbers)}", store.clock.now(), state, store.ids.state())
        self._taken[snapshot.id] = snapshot
        return snapshot

    def get(self, snapshot_id: str) -> Snapshot | None:
        return self._taken.get(snapshot_id)

    def restore(self, snapshot: Snapshot) -> None:
        """Put the store back as it was; the snapshot stays, so it can be restored again."""
        store = self.store
        for name, value in copy.deepcopy(snapshot.state).items():
            setattr(store, name, value)
        store.ids.restore(snapshot.ids)
        # Everything may have changed: observers (the inspector) start over as after a reset.
        for listener in list(store.listeners):
            listener("reset", {})

    def clear(self) -> None:
        self._taken.clear()
