"""How long an accepted inbound message awaits creation: Front creates messages asynchronously."""

from __future__ import annotations

from dataclasses import dataclass

# An hour is far past any delay Front shows; more is surely a unit mistake (milliseconds for seconds).
MAX_CREATION_DELAY_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class CreationDelay:
    """Seconds between a 202 on incoming_messages and the message existing (fixed when low == high)."""

    low: float = 0.0
    high: float = 0.0

    def __post_init__(self) -> None:
        if not (0 <= self.low <= self.high <= MAX_CREATION_DELAY_SECONDS):
            raise ValueError(
                f"creation delay {self} must satisfy "
                f"0 <= MIN <= MAX <= {MAX_CREATION_DELAY_SECONDS:g} seconds"
            )

    def __str__(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}..{self.high:g}"
