"""A client for a running emulator, in-process or over HTTP: what the pytest fixtures hand to tests.

Every helper goes through the emulator's own HTTP API (Front's routes and /_emulator/*), so a test reads
the same against the in-process app, the session server, or an external emulator in CI.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

# Part of the harness's public API. Still cheap to import (the pytest plugin's fixtures import the harness):
# uvicorn and the app load only when a LiveServer is made.
from emulator.live_server import LiveServer

__all__ = ["EmulatorClient", "EmulatorError", "FrontEmulator", "HttpClient", "LiveServer"]


class HttpClient(Protocol):
    """What httpx.Client, httpx2.Client and Starlette's TestClient all offer (the keywords used here)."""

    def request(
        self, method: str, url: str, *, json: Any = ..., params: Any = ..., headers: Any = ...
    ) -> Any: ...


class EmulatorError(AssertionError):
    """The emulator refused a harness call; the message carries Front's `_error` answer."""


class EmulatorClient:
    """Drives one emulator through its HTTP API: what the `front_emulator` and `front_server` fixtures are."""

    def __init__(self, client: HttpClient, url: str) -> None:
        self.client = client
        # Base URL as integrations should be configured with it (a real URL only for live servers).
        self.url = url.rstrip("/")
        self._workspace: dict[str, Any] | None = None

    # -- plumbing --------------------------------------------------------------------------------

    def call(
        self, method: str, path: str, expected: int | tuple[int, ...] = (200, 201, 202, 204), **kwargs: Any
    ) -> Any:
        """One request; raises EmulatorError with the emulator's answer unless the status is expected."""
        answer = self.client.request(method, path, **kwargs)
        allowed = (expected,) if isinstance(expected, int) else expected
        if answer.status_code not in allowed:
            raise EmulatorError(f"{method} {path} answered {answer.status_code}: {answer.text}")
        if answer.status_code == 204 or not answer.content:
            return None
        return answer.json()

    def document(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """`call` for routes that answer a JSON object."""
        found: dict[str, Any] = self.call(method, path, **kwargs)
        return found

    @property
    def workspace(self) -> dict[str, Any]:
        if self._workspace is None:
            self._workspace = self.document("GET", "/_emulator/workspace")
        return self._workspace

    @property
    def token(self) -> str:
        """The token with the most scopes."""
        return str(max(self.workspace["tokens"], key=lambda token: len(token["scopes"]))["token"])

    @property
    def secret(self) -> str:
        return str(self.workspace["api_secret"])

    @property
    def channel_id(self) -> str:
        """The first custom channel of the workspace."""
        return str(next(c["id"] for c in self.workspace["channels"] if c["type"] == "custom"))

    @property
    def teammate_id(self) -> str:
        return str(self.workspace["teammates"][0]["id"])

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    # -- state -----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the loaded workspace: messages, conversations, deliveries, clock and ids."""
        self.call("POST", "/_emulator/reset")
        self.forget_workspace()

    def forget_workspace(self) -> None:
        """The workspace may have changed (reset, seed): read it again when next needed."""
        self._workspace = None

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

    # -- application channels (docs/application-channels.md) ------------------------------------

    def add_application(self, name: str, webhook_url: str, **fields: Any) -> dict[str, Any]:
        """A Front app with a channel feature (`uid`, `secret`, `delete_signature` optional); its document
        with the App UID and App secret."""
        document = self.document(
            "POST", "/_emulator/applications", json={"name": name, "webhook_url": webhook_url, **fields}
        )
        self.forget_workspace()
        return document

    def authorize_channel(
        self, application_uid: str, name: str, address: str | None = None
    ) -> dict[str, Any]:
        """Add a channel of the app as a Front admin would; EmulatorError unless the app authorizes it."""
        body = {"name": name} if address is None else {"name": name, "address": address}
        channel = self.document("POST", f"/_emulator/applications/{application_uid}/channels", json=body)
        self.forget_workspace()
        return channel

    def channel_jwt(self, channel_id: str, lifetime: float = 10.0, **claims: Any) -> str:
        """A valid Channel API token for `channel_id`, as Front's template signs it: HS256 with the App
        secret, iss = App UID, sub = channel, a fresh jti, exp `lifetime` seconds after the emulator's now."""
        import jwt  # only tests of application channels need PyJWT loaded

        channel = next((c for c in self.workspace["channels"] if c["id"] == channel_id), None)
        if channel is None or "application" not in channel:
            self.forget_workspace()
            channel = next((c for c in self.workspace["channels"] if c["id"] == channel_id), None)
        if channel is None or "application" not in channel:
            raise EmulatorError(f"{channel_id} is not an application channel of this workspace")
        application = next(a for a in self.workspace["applications"] if a["uid"] == channel["application"])
        now = float(self.document("GET", "/_emulator/clock")["now"])
        payload = {
            "iss": application["uid"],
            "sub": channel_id,
            "jti": uuid.uuid4().hex,
            "exp": int(now + lifetime),
        }
        return jwt.encode({**payload, **claims}, application["secret"], algorithm="HS256")

    def sync_inbound(
        self,
        channel_id: str,
        body: str = "Hello",
        sender: str | dict[str, Any] = "contact@example.test",
        external_conversation_id: str = "conversation-1",
        external_id: str | None = None,
        **fields: Any,
    ) -> str:
        """POST /channels/{id}/inbound_messages with a fresh channel JWT; returns the message_uid."""
        document = {
            "sender": {"handle": sender} if isinstance(sender, str) else sender,
            "body": body,
            "metadata": {
                "external_id": external_id or uuid.uuid4().hex,
                "external_conversation_id": external_conversation_id,
            },
            **fields,
        }
        return self._sync(channel_id, "inbound_messages", document)

    def sync_outbound(
        self,
        channel_id: str,
        to: str | list[str],
        body: str = "Hello",
        external_conversation_id: str = "conversation-1",
        external_id: str | None = None,
        **fields: Any,
    ) -> str:
        """POST /channels/{id}/outbound_messages (a message sent outside Front); returns the message_uid."""
        document = {
            "to": [{"handle": handle} for handle in ([to] if isinstance(to, str) else to)],
            "body": body,
            "metadata": {
                "external_id": external_id or uuid.uuid4().hex,
                "external_conversation_id": external_conversation_id,
            },
            **fields,
        }
        return self._sync(channel_id, "outbound_messages", document)

    def _sync(self, channel_id: str, route: str, document: dict[str, Any]) -> str:
        headers = {"Authorization": f"Bearer {self.channel_jwt(channel_id)}"}
        answer = self.call(
            "POST", f"/channels/{channel_id}/{route}", expected=202, json=document, headers=headers
        )
        return str(answer["message_uid"])

    def channel_call(self, channel_id: str, external_call_id: str) -> dict[str, Any]:
        """A call the channel's app reported (POST /channels/{id}/calls…): status history, recordings,
        summary, transcript and its message's id; EmulatorError when the channel has no such call."""
        return self.document("GET", f"/_emulator/channels/{channel_id}/calls/{external_call_id}")

    def message_templates(self, channel_id: str) -> list[dict[str, Any]]:
        """The application message templates the channel's app imported, in the order first imported."""
        templates: list[dict[str, Any]] = self.document(
            "GET", f"/_emulator/channels/{channel_id}/message_templates"
        )["_results"]
        return templates

    def app_events(self, **filters: str) -> list[dict[str, Any]]:
        """The event journal (events sent to apps), filtered by application_uid, channel_id or type."""
        events: list[dict[str, Any]] = self.document("GET", "/_emulator/app_events", params=filters)[
            "_results"
        ]
        return events


# The name before 0.2.0, kept for existing tests.
FrontEmulator = EmulatorClient
