"""The harness's application channels (docs/application-channels.md): add a Front app, authorize its
channels, sign Channel API tokens, sync messages as the app would, and read what the emulator kept of
calls, templates and the events it sent to apps. Mixed into EmulatorClient (emulator/harness.py)."""

from __future__ import annotations

import uuid
from typing import Any

from emulator.harness_base import EmulatorError, HarnessBase


class ApplicationChannels(HarnessBase):
    """The application-channel part of EmulatorClient."""

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
