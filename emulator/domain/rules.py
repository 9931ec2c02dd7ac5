"""Why the domain refuses a request: one exception every door turns into Front's error envelope."""

from __future__ import annotations

from typing import Literal

RefusalKind = Literal["invalid", "forbidden", "not_found", "conflict"]


class Refusal(Exception):
    """A business rule says no; `kind` picks the answer (400, 403, 404, 409), never an HTTP type here."""

    def __init__(self, kind: RefusalKind, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.kind: RefusalKind = kind
        self.message = message
        self.details = details

    def __repr__(self) -> str:
        return f"Refusal({self.kind!r}, {self.message!r}, {self.details!r})"


def not_on_channel(what: str, key: str, channel_id: str, how_to_add: str) -> Refusal:
    """A channel has no such thing (a call, a template): the refusal names it and how the app adds one."""
    return Refusal("not_found", f"{what} {key!r} not found on channel {channel_id} ({how_to_add})")
