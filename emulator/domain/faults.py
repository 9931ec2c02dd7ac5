"""Faults: Front answering the integration badly on purpose, so that its retry logic can be tested.

A fault matches Front API requests by route (a path pattern whose `{name}` parts stand for one path
segment, or a path prefix), optionally by method and channel, and does one thing to each request it
fires on: answer a fixed error status, add latency before the real answer, drop the connection, or
answer 202 with a message_uid whose message is never created. It fires on the next `times` matching
requests, each with `probability` when given (unlimited and always when neither is).

Draws (probability, latency within a range, the uid of a lost message) come from a Random of the fault's
own, seeded from the emulator's seed and the fault's id: the same seed and the same requests give the
same sequence, whatever other faults or ids the run hands out. The store's IdSource is not used, so a
fault never shifts the ids of a seeded run.

This registry is not part of the store's state (snapshots keep no faults); reset clears it.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from typing import Any

# The scope key naming the fault that fired on a request: the request journal reads it to mark the entry.
SCOPE_KEY = "front_emulator.fault"
# Latency measures the integration against real time (not the emulator's clock), so it is bounded.
MAX_LATENCY_SECONDS = 30.0
# The journal's status for a dropped connection: nginx's 444, "closed without an answer".
DROPPED_STATUS = 444
ACTIONS = ("status", "latency", "drop_connection", "accept_without_creating")


@dataclass(slots=True)
class Fault:
    id: str
    action: str
    route: str | None
    path_prefix: str | None
    method: str | None
    channel_id: str | None
    status: int | None
    retry_after: int | None
    message: str | None
    latency: tuple[float, float] | None
    times: int | None
    probability: float | None
    random: random.Random
    pattern: re.Pattern[str] | None
    fired: int = 0
    # Matching requests it let through (a probability draw said no).
    spared: int = 0

    @property
    def spent(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, path: str, channel_id: str | None) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.channel_id is not None and self.channel_id != channel_id:
            return False
        if self.pattern is not None:
            return self.pattern.fullmatch(path) is not None
        return self.path_prefix is not None and path.startswith(self.path_prefix)

    def delay(self) -> float:
        """Seconds to wait: fixed, or drawn from the range."""
        assert self.latency is not None
        low, high = self.latency
        return low if low == high else self.random.uniform(low, high)

    def lost_uid(self) -> str:
        """A message_uid like Front's (32 hex digits) for a 202 whose message will never exist."""
        return f"{self.random.getrandbits(128):032x}"

    def as_document(self) -> dict[str, Any]:
        latency = None if self.latency is None else {"min": self.latency[0], "max": self.latency[1]}
        return {
            "id": self.id,
            "action": self.action,
            "route": self.route,
            "path_prefix": self.path_prefix,
            "method": self.method,
            "channel_id": self.channel_id,
            "status": self.status,
            "retry_after": self.retry_after,
            "message": self.message,
            "latency": latency,
            "times": self.times,
            "probability": self.probability,
            "fired": self.fired,
            "spared": self.spared,
            "remaining": None if self.times is None else self.times - self.fired,
        }


class FaultError(ValueError):
    """A fault document the schema lets through but that does not make one fault; one detail per reason."""

    def __init__(self, details: list[str]) -> None:
        super().__init__("; ".join(details))
        self.details = details


def route_pattern(route: str) -> re.Pattern[str]:
    """`/channels/{channel_id}/incoming_messages` -> a regex where each `{…}` is one path segment."""
    parts = re.split(r"\{[^{}/]*\}", route)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


class Faults:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        # Never replaced, only changed in place: the API gate keeps a reference and tests it for emptiness.
        self.faults: list[Fault] = []
        self._numbers = itertools.count(1)

    def add(self, document: dict[str, Any]) -> Fault:
        """A fault from a document valid against schemas/fault-request.json."""
        fault_id = f"flt_{next(self._numbers)}"
        fault = _fault(fault_id, document, random.Random(f"{self.seed}:{fault_id}"))
        self.faults.append(fault)
        return fault

    def get(self, fault_id: str) -> Fault | None:
        return next((fault for fault in self.faults if fault.id == fault_id), None)

    def remove(self, fault_id: str) -> bool:
        fault = self.get(fault_id)
        if fault is None:
            return False
        self.faults.remove(fault)
        return True

    def clear(self) -> None:
        """No faults, and ids from flt_1 again (reset): the same run then draws the same sequence."""
        self.faults.clear()
        self._numbers = itertools.count(1)

    def take(self, method: str, path: str, channel_id: str | None) -> Fault | None:
        """The first fault that fires on this request, counted as fired; None lets the request through."""
        for fault in self.faults:
            if fault.spent or not fault.matches(method, path, channel_id):
                continue
            if fault.probability is not None and fault.random.random() >= fault.probability:
                fault.spared += 1
                continue
            fault.fired += 1
            return fault
        return None


def _fault(fault_id: str, document: dict[str, Any], draws: random.Random) -> Fault:
    # The schema has checked that exactly one action and one of route or path_prefix are given.
    action = next(action for action in ACTIONS if action in document)
    latency = _latency(document.get("latency"))
    route = document.get("route")
    status = document.get("status")
    return Fault(
        id=fault_id,
        action=action,
        route=route,
        path_prefix=document.get("path_prefix"),
        method=document.get("method"),
        channel_id=document.get("channel_id"),
        status=status,
        retry_after=document.get("retry_after", 1) if status == 429 else None,
        message=document.get("message"),
        latency=latency,
        times=document.get("times"),
        probability=document.get("probability"),
        random=draws,
        pattern=route_pattern(route) if route is not None else None,
    )


def _latency(given: Any) -> tuple[float, float] | None:
    if given is None:
        return None
    if isinstance(given, dict):
        low, high = float(given["min"]), float(given["max"])
        if low > high:
            raise FaultError(["/latency: min must not be above max"])
        return low, high
    return float(given), float(given)
