"""A client for a running emulator, in-process or over HTTP: what the pytest fixtures hand to tests.

Every helper goes through the emulator's own HTTP API (Front's routes and /_emulator/*), so a test reads
the same against the in-process app, the session server, or an external emulator in CI.
"""

from __future__ import annotations

from typing import Any

from emulator.harness_applications import ApplicationChannels
from emulator.harness_base import EmulatorError, HttpClient

# Part of the harness's public API. Still cheap to import (the pytest plugin's fixtures import the harness):
# uvicorn and the app load only when a LiveServer is made.
from emulator.live_server import LiveServer

__all__ = ["EmulatorClient", "EmulatorError", "FrontEmulator", "HttpClient", "LiveServer"]


class EmulatorClient(ApplicationChannels):
    """Drives one emulator through its HTTP API: what the `front_emulator` and `front_server` fixtures are.
    Its plumbing (`call`, `document`, `workspace`, `token`, …) is in emulator/harness_base.py, the
    application-channel helpers in emulator/harness_applications.py."""

    # -- state -----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the loaded workspace: messages, conversations, deliveries, clock and ids."""
        self.call("POST", "/_emulator/reset")
        self.forget_workspace()

    def seed(self, path: str | None = None, workspace: dict[str, Any] | None = None) -> dict[str, Any]:
        """Start afresh on another workspace: a fixture file (`path`: a packaged fixture's name, or a file
        under a folder the emulator was started with) or an inline document."""
        document = self.document(
            "POST", "/_emulator/seed", json={"path": path} if path else {"workspace": workspace}
        )
        self._workspace = document
        return document

    def freeze(self, at: float | None = None) -> float:
        """Stop the clock (at `at`, Unix seconds, or now); creation delays and undo windows then wait for
        `advance`."""
        document = self.call("POST", "/_emulator/clock/freeze", json={} if at is None else {"at": at})
        return float(document["now"])

    def advance(self, seconds: float) -> float:
        """Move the frozen clock forward; what became due happens now."""
        return float(self.call("POST", "/_emulator/clock/advance", json={"seconds": seconds})["now"])

    # -- faults ----------------------------------------------------------------------------------

    def inject_fault(self, route: str | None = None, **fields: Any) -> dict[str, Any]:
        """Make Front's API answer badly: `inject_fault("/channels/{channel_id}/incoming_messages",
        status=503, times=1)`; any field of POST /_emulator/faults (path_prefix instead of route, method,
        channel_id, latency, drop_connection, accept_without_creating, probability…). Returns the fault."""
        document = {"route": route, **fields} if route is not None else fields
        return self.document("POST", "/_emulator/faults", json=document)

    def faults(self) -> list[dict[str, Any]]:
        """Every fault, with how many times it `fired`."""
        faults: list[dict[str, Any]] = self.document("GET", "/_emulator/faults")["_results"]
        return faults

    def clear_faults(self) -> None:
        self.call("DELETE", "/_emulator/faults")

    # -- inbound ---------------------------------------------------------------------------------

    def send_incoming(
        self,
        body: str = "Hello",
        sender: str | dict[str, Any] = "visitor@example.test",
        channel: str | None = None,
        **fields: Any,
    ) -> str:
        """POST a custom message as an integration would; returns its message_uid."""
        document = {
            "sender": {"handle": sender} if isinstance(sender, str) else sender,
            "body": body,
            **fields,
        }
        path = f"/channels/{channel or self.channel_id}/incoming_messages"
        return str(self.call("POST", path, expected=202, json=document, headers=self.auth)["message_uid"])

    def wait_for_message(self, uid: str, timeout: float = 5.0) -> dict[str, Any]:
        """The message of `uid` once it exists (long-polls the emulator; never sleeps in the test)."""
        waited = self.call("POST", "/_emulator/wait", json={"message_uid": uid, "timeout": timeout})
        if not waited["satisfied"]:
            raise EmulatorError(f"message {uid} was not created within {timeout:g} s")
        return self.message(f"alt:uid:{uid}")

    def message(self, message_id: str) -> dict[str, Any]:
        return self.document("GET", f"/messages/{message_id}", headers=self.auth)

    @staticmethod
    def conversation_id_of(message: dict[str, Any]) -> str:
        """The `cnv_…` id a message (as Front's API shows it) belongs to."""
        return str(message["_links"]["related"]["conversation"]).rsplit("/", 1)[1]

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        return self.document("GET", f"/conversations/{conversation_id}", headers=self.auth)

    # -- outbound --------------------------------------------------------------------------------

    def configure_channel(self, channel: str | None = None, **settings: Any) -> None:
        """Change a channel's settings, e.g. `webhook_url=…, undo_send_time=0`."""
        self.call(
            "PATCH", f"/channels/{channel or self.channel_id}", json={"settings": settings}, headers=self.auth
        )

    def reply(
        self, conversation_id: str, body: str = "<p>Thanks!</p>", teammate: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Reply as a teammate through Front's API; returns the outbound message."""
        document = {"body": body, "author_id": teammate or self.teammate_id, **fields}
        path = f"/conversations/{conversation_id}/messages"
        uid = self.call("POST", path, expected=202, json=document, headers=self.auth)["message_uid"]
        return self.message(f"alt:uid:{uid}")

    def compose(
        self,
        to: str | list[str],
        body: str = "<p>Hello</p>",
        channel: str | None = None,
        teammate: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A teammate's new message (the channel must allow new messages)."""
        document = {"to": [to] if isinstance(to, str) else to, "body": body, **fields}
        document["author_id"] = teammate or self.teammate_id
        path = f"/channels/{channel or self.channel_id}/messages"
        uid = self.call("POST", path, expected=202, json=document, headers=self.auth)["message_uid"]
        return self.message(f"alt:uid:{uid}")

    def message_state(self, message_id: str) -> dict[str, Any]:
        """delivery_status, error_type and error_reason of an outbound message."""
        return self.document("GET", f"/_emulator/messages/{message_id}")

    def cancel(self, message_id: str) -> dict[str, Any]:
        return self.document("POST", f"/_emulator/messages/{message_id}/cancel")

    def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """The delivery journal, filtered by channel_id, conversation_id, message_id or outcome."""
        deliveries: list[dict[str, Any]] = self.document("GET", "/_emulator/deliveries", params=filters)[
            "_results"
        ]
        return deliveries

    def wait_for_deliveries(
        self, count: int = 1, timeout: float = 10.0, **filters: str
    ) -> list[dict[str, Any]]:
        """At least `count` journalled deliveries matching `filters` (long-polls the emulator)."""
        waited = self.call(
            "POST", "/_emulator/wait", json={"deliveries": count, "timeout": timeout, **filters}
        )
        if not waited["satisfied"]:
            found = len(self.deliveries(**filters))
            raise EmulatorError(f"{found} of {count} deliveries within {timeout:g} s (filters {filters})")
        return self.deliveries(**filters)


# The name before 0.2.0, kept for existing tests.
FrontEmulator = EmulatorClient
