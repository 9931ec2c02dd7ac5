"""A Front company as the emulator sees it: channels, teammates, API tokens and the API secret.

The model only: emulator/domain/workspace_document.py builds and checks one from a document, and
emulator/workspace_files.py reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from emulator.domain.documents import attributes, every_field

ReplyMode = Literal["this_channel", "cannot_reply"]
ContactType = Literal["custom", "email", "phone"]
SigningScheme = Literal["sha1-body", "sha256-timestamp"]
DeleteSignature = Literal["body", "undefined"]
ChannelStatus = Literal["ok", "offline"]

# Front's scope names; the full-access token of the default workspace has all of them.
ALL_SCOPES: tuple[str, ...] = (
    "attachments:read",
    "channels:read",
    "channels:write",
    "comments:read",
    "comments:write",
    "contacts:delete",
    "contacts:read",
    "contacts:write",
    "conversations:read",
    "conversations:write",
    "events:*:read",
    "inboxes:read",
    "messages:read",
    "messages:send",
    "messages:write",
    "tags:read",
    "tags:write",
    "teammates:read",
)


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """Every setting a custom channel has in Front's UI; Front's own field names where it has one."""

    webhook_url: str | None = None
    reply_mode: ReplyMode = "this_channel"
    allow_new_messages: bool = False
    undo_send_time: int = 0
    auto_assign: bool = False
    contact_type: ContactType = "custom"
    signing_scheme: SigningScheme = "sha1-body"
    outgoing_timeout: float = 7.0
    retries: int = 0
    all_teammates_can_reply: bool = True
    # Application channels: send the app `message_imported` after each synced message is created.
    message_imported_events: bool = True
    # Application channels: after each inbound sync, send the app a `message_autoreply` as Front does when
    # the inbox has an auto-reply rule (off by default).
    message_autoreply: bool = False

    def as_document(self) -> dict[str, Any]:
        return every_field(self)


@dataclass(frozen=True, slots=True)
class Application:
    """A Front app with a channel feature: its App UID and App secret, and the URL Front calls to
    authorize a new channel of it."""

    uid: str
    secret: str
    name: str
    webhook_url: str
    # What a DELETE event is signed over: its JSON body (Front's template reads one) or the string
    # `undefined` (Front's security doc, for GET and DELETE). docs/fidelity.md has both sides.
    delete_signature: DeleteSignature = "body"

    def as_document(self) -> dict[str, Any]:
        document = attributes(self, "uid", "secret", "name", "webhook_url")
        if self.delete_signature != "body":
            document["delete_signature"] = self.delete_signature
        return document


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    address: str
    name: str
    type: str = "custom"
    settings: ChannelSettings = field(default_factory=ChannelSettings)
    # The App UID of an application channel (Front's Channel API); None for a custom channel.
    application: str | None = None
    # Application channels: what the app last said with PATCH /channels/{id} (Channel API).
    status: ChannelStatus = "ok"

    @property
    def is_custom(self) -> bool:
        """A custom channel (`incoming_messages`); an application channel is not one, whatever its type."""
        return self.type == "custom" and self.application is None

    @property
    def is_application(self) -> bool:
        return self.application is not None

    def as_document(self) -> dict[str, Any]:
        document = attributes(self, "id", "address", "name", "type")
        document["settings"] = self.settings.as_document()
        if self.application is not None:
            document["application"] = self.application
            document["status"] = self.status
        return document


@dataclass(frozen=True, slots=True)
class Teammate:
    id: str
    email: str
    username: str
    first_name: str
    last_name: str
    is_admin: bool = False
    is_available: bool = True
    is_blocked: bool = False

    def as_document(self) -> dict[str, Any]:
        return every_field(self)


@dataclass(frozen=True, slots=True)
class Inbox:
    """A shared inbox: the channels whose conversations land in it, and the teammates who see it."""

    id: str
    name: str
    channel_ids: tuple[str, ...]
    # None: every teammate of the workspace.
    teammate_ids: tuple[str, ...] | None = None

    def as_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"id": self.id, "name": self.name, "channels": list(self.channel_ids)}
        if self.teammate_ids is not None:
            document["teammates"] = list(self.teammate_ids)
        return document


@dataclass(frozen=True, slots=True)
class ApiToken:
    token: str
    scopes: frozenset[str]
    name: str = ""

    def as_document(self) -> dict[str, Any]:
        return {"token": self.token, "name": self.name, "scopes": sorted(self.scopes)}


@dataclass(frozen=True, slots=True)
class HistoryMessage:
    """An inbound message of the workspace file's `history`, created whenever the workspace is loaded."""

    channel: str  # id or address, checked against the workspace's custom channels on load
    sender_handle: str
    body: str
    sender_name: str | None = None
    subject: str | None = None
    body_format: Literal["markdown", "html"] = "markdown"
    thread_ref: str | None = None
    # Seconds relative to the load (<= 0), so history stays "recent" whenever the emulator starts.
    created_at: float = 0.0

    def as_document(self) -> dict[str, Any]:
        sender: dict[str, Any] = {"handle": self.sender_handle}
        if self.sender_name is not None:
            sender["name"] = self.sender_name
        document: dict[str, Any] = {"channel": self.channel, "sender": sender, "body": self.body}
        optional = {"subject": self.subject, "thread_ref": self.thread_ref}
        document.update({key: value for key, value in optional.items() if value is not None})
        document["body_format"] = self.body_format
        document["created_at"] = self.created_at
        return document


@dataclass(frozen=True, slots=True)
class Workspace:
    channels: tuple[Channel, ...]
    teammates: tuple[Teammate, ...]
    tokens: tuple[ApiToken, ...]
    api_secret: str
    history: tuple[HistoryMessage, ...] = ()
    applications: tuple[Application, ...] = ()
    inboxes: tuple[Inbox, ...] = ()

    def as_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "channels": [channel.as_document() for channel in self.channels],
            "teammates": [teammate.as_document() for teammate in self.teammates],
            "tokens": [token.as_document() for token in self.tokens],
            "api_secret": self.api_secret,
        }
        if self.history:
            document["history"] = [message.as_document() for message in self.history]
        if self.applications:
            document["applications"] = [application.as_document() for application in self.applications]
        if self.inboxes:
            document["inboxes"] = [inbox.as_document() for inbox in self.inboxes]
        return document


def own_inbox_id(channel_id: str) -> str:
    """The inbox of a channel no inbox of the workspace lists: one of its own, named after it."""
    return "inb_" + channel_id.removeprefix("cha_")
