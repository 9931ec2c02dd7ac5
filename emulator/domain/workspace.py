"""A Front company as the emulator sees it: channels, teammates, API tokens and the API secret.

Built from a document already checked (emulator/workspace_files.py reads and validates files): no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

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
        return {
            "webhook_url": self.webhook_url,
            "reply_mode": self.reply_mode,
            "allow_new_messages": self.allow_new_messages,
            "undo_send_time": self.undo_send_time,
            "auto_assign": self.auto_assign,
            "contact_type": self.contact_type,
            "signing_scheme": self.signing_scheme,
            "outgoing_timeout": self.outgoing_timeout,
            "retries": self.retries,
            "all_teammates_can_reply": self.all_teammates_can_reply,
            "message_imported_events": self.message_imported_events,
            "message_autoreply": self.message_autoreply,
        }


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
        document = {"uid": self.uid, "secret": self.secret, "name": self.name}
        document["webhook_url"] = self.webhook_url
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
        document = {
            "id": self.id,
            "address": self.address,
            "name": self.name,
            "type": self.type,
            "settings": self.settings.as_document(),
        }
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
        return {
            "id": self.id,
            "email": self.email,
            "username": self.username,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "is_admin": self.is_admin,
            "is_available": self.is_available,
            "is_blocked": self.is_blocked,
        }


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


def workspace_from_document(document: dict[str, Any]) -> Workspace:
    """Build a Workspace from a document already validated against schemas/workspace.json."""
    channels = tuple(
        Channel(
            id=item["id"],
            address=item["address"],
            name=item.get("name") or item["address"],
            type=item.get("type", "custom"),
            settings=replace(ChannelSettings(), **(item.get("settings") or {})),
            application=item.get("application"),
            status=item.get("status", "ok"),
        )
        for item in document["channels"]
    )
    applications = tuple(
        Application(
            uid=item["uid"],
            secret=item["secret"],
            name=item["name"],
            webhook_url=item["webhook_url"],
            delete_signature=item.get("delete_signature", "body"),
        )
        for item in document.get("applications", [])
    )
    teammates = tuple(
        Teammate(
            id=item["id"],
            email=item["email"],
            username=item.get("username") or item["email"].split("@")[0],
            first_name=item.get("first_name", ""),
            last_name=item.get("last_name", ""),
            is_admin=item.get("is_admin", False),
            is_available=item.get("is_available", True),
            is_blocked=item.get("is_blocked", False),
        )
        for item in document.get("teammates", [])
    )
    tokens = tuple(
        ApiToken(
            token=item["token"],
            scopes=frozenset(ALL_SCOPES if "*" in item["scopes"] else item["scopes"]),
            name=item.get("name", ""),
        )
        for item in document["tokens"]
    )
    history = tuple(
        HistoryMessage(
            channel=item["channel"],
            sender_handle=item["sender"]["handle"],
            body=item["body"],
            sender_name=item["sender"].get("name"),
            subject=item.get("subject"),
            body_format=item.get("body_format", "markdown"),
            thread_ref=item.get("thread_ref"),
            created_at=item.get("created_at", 0),
        )
        for item in document.get("history", [])
    )
    inboxes = tuple(
        Inbox(
            id=item["id"],
            name=item["name"],
            channel_ids=tuple(item["channels"]),
            teammate_ids=tuple(item["teammates"]) if "teammates" in item else None,
        )
        for item in document.get("inboxes", [])
    )
    return Workspace(channels, teammates, tokens, document["api_secret"], history, applications, inboxes)


def workspace_problems(document: dict[str, Any]) -> list[str]:
    """What the schema cannot say about a schema-valid document: ids and addresses used twice, and
    history messages on channels that take none, channels of unknown applications; one
    `"/json/pointer: reason"` line each."""
    return (
        _duplicates(document)
        + _history_channels(document)
        + _channel_applications(document)
        + inbox_problems(document)
    )


def _duplicates(document: dict[str, Any]) -> list[str]:
    problems = []
    for collection, key in (
        ("channels", "id"),
        ("channels", "address"),
        ("teammates", "id"),
        ("tokens", "token"),
        ("applications", "uid"),
        ("inboxes", "id"),
    ):
        seen: set[str] = set()
        for index, item in enumerate(document.get(collection, [])):
            if item[key] in seen:
                problems.append(f"/{collection}/{index}/{key}: {item[key]!r} is used twice")
            seen.add(item[key])
    return problems


def _history_channels(document: dict[str, Any]) -> list[str]:
    """Each history message must name a custom channel (by id or address): only those take messages."""
    custom = {
        reference
        for channel in document["channels"]
        if channel.get("type", "custom") == "custom" and "application" not in channel
        for reference in (channel["id"], channel["address"])
    }
    return [
        f"/history/{index}/channel: {item['channel']!r} is not a custom channel of this workspace "
        f"(known: {', '.join(sorted(custom)) or 'none'})"
        for index, item in enumerate(document.get("history", []))
        if item["channel"] not in custom
    ]


def _channel_applications(document: dict[str, Any]) -> list[str]:
    known = {application["uid"] for application in document.get("applications", [])}
    return [
        f"/channels/{index}/application: no application {channel['application']!r} in this workspace "
        f"(known: {', '.join(sorted(known)) or 'none'})"
        for index, channel in enumerate(document["channels"])
        if "application" in channel and channel["application"] not in known
    ]


def own_inbox_id(channel_id: str) -> str:
    """The inbox of a channel no inbox of the workspace lists: one of its own, named after it."""
    return "inb_" + channel_id.removeprefix("cha_")


def inbox_problems(document: dict[str, Any]) -> list[str]:
    """Inboxes name channels and teammates of the workspace, each channel in one inbox at most, and no
    inbox takes the id a channel's own inbox has."""
    channels = {channel["id"] for channel in document["channels"]}
    teammates = {teammate["id"] for teammate in document.get("teammates", [])}
    problems = []
    placed: dict[str, str] = {}
    for index, inbox in enumerate(document.get("inboxes", [])):
        for position, channel_id in enumerate(inbox["channels"]):
            where = f"/inboxes/{index}/channels/{position}"
            if channel_id not in channels:
                problems.append(f"{where}: no channel {channel_id!r} in this workspace")
            elif channel_id in placed:
                problems.append(f"{where}: {channel_id!r} is already in inbox {placed[channel_id]!r}")
            else:
                placed[channel_id] = inbox["id"]
        for position, teammate_id in enumerate(inbox.get("teammates", [])):
            if teammate_id not in teammates:
                problems.append(
                    f"/inboxes/{index}/teammates/{position}: no teammate {teammate_id!r} in this workspace"
                )
    reserved = {own_inbox_id(channel_id): channel_id for channel_id in channels - set(placed)}
    problems += [
        f"/inboxes/{index}/id: {inbox['id']!r} is the own inbox of channel {reserved[inbox['id']]!r}, "
        "which no inbox lists"
        for index, inbox in enumerate(document.get("inboxes", []))
        if inbox["id"] in reserved
    ]
    return problems
