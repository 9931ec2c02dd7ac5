"""Messages, conversations and attachments, as stored.

What a request makes for every message it brings (IncomingMessage, SyncedMessage, its ExternalIds and
Contacts) is never changed once made, but is not a frozen dataclass: those set each field through
object.__setattr__, four times the cost of a plain one, on the hot paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from emulator.domain.rendering import blurb_of, rendered_body

BodyFormat = Literal["markdown", "html"]
ConversationStatus = Literal["unassigned", "assigned", "archived", "deleted"]
# Outbound messages only: Front's "sending" states as a teammate sees them.
DeliveryStatus = Literal["pending", "sending", "sent", "cancelled", "failed"]


@dataclass(frozen=True, slots=True)
class AttachmentUpload:
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class IncomingMessage:
    """A validated `CustomMessage` body, with null/empty optionals already dropped."""

    sender_handle: str
    body: str
    sender_name: str | None = None
    sender_contact_id: str | None = None
    subject: str | None = None
    body_format: BodyFormat = "markdown"
    thread_ref: str | None = None
    headers: dict[str, Any] | None = None
    attachments: tuple[AttachmentUpload, ...] = ()


@dataclass(slots=True)
class ExternalIds:
    """The ids an app gives a message of an application channel (Front's Channel API `metadata`)."""

    external_id: str
    external_conversation_id: str
    referenced_message_external_id: str | None = None


@dataclass(slots=True)
class Contact:
    handle: str
    name: str | None = None


@dataclass(slots=True)
class SyncedMessage:
    """A validated Channel API sync: an InboundMessage (from `sender`) or an OutboundMessage (to `to`)."""

    is_inbound: bool
    # Inbound: the sender alone; outbound: every `to`, the first being the conversation's contact.
    contacts: tuple[Contact, ...]
    body: str
    external: ExternalIds
    subject: str | None = None
    sender_name: str | None = None
    author_id: str | None = None
    # Seconds since the epoch: when the message really happened (it becomes created_at).
    delivered_at: float | None = None
    attachments: tuple[AttachmentUpload, ...] = ()


@dataclass(frozen=True, slots=True)
class Recipient:
    handle: str
    role: Literal["from", "to", "cc", "bcc", "reply-to"]
    name: str | None = None
    # None for the channel's own address, which is no contact.
    contact_id: str | None = None


@dataclass(frozen=True, slots=True)
class TeammateMessage:
    """A teammate's reply or new message, validated, before it is stored."""

    body: str
    recipients: tuple[Recipient, ...]
    author_id: str | None = None
    subject: str | None = None
    replied_to_id: str | None = None
    # Front archives the conversation on send unless options.archive is false.
    archive: bool = True
    attachments: tuple[AttachmentUpload, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(slots=True)
class Message:
    # The only fields that change once a message exists (the outbox sets them): snapshots share the
    # message and save these. A field assigned after creation must be listed here.
    MUTABLE: ClassVar[tuple[str, ...]] = ("delivery_status", "error_type", "error_reason", "external")

    id: str
    message_uid: str
    channel_id: str
    conversation_id: str
    # Creation order across the store; pagination cursors are built from it.
    seq: int
    created_at: float
    is_inbound: bool
    subject: str | None
    body_source: str
    body_format: BodyFormat
    recipients: tuple[Recipient, ...]
    attachments: tuple[Attachment, ...] = ()
    thread_ref: str | None = None
    headers: dict[str, Any] | None = None
    author_id: str | None = None
    error_type: str | None = None
    # Outbound only: where the send stands, why it failed, what it answers, when the undo window ends.
    delivery_status: DeliveryStatus | None = None
    error_reason: str | None = None
    replied_to_id: str | None = None
    send_at: float | None = None
    # Application channels only: the app's ids for this message and its thread.
    external: ExternalIds | None = None
    # Imported messages only: the external_id it was imported with (emulator/domain/imports.py).
    import_external_id: str | None = None

    @property
    def body(self) -> str:
        return rendered_body(self.body_source, self.body_format)[0]

    @property
    def text(self) -> str:
        return rendered_body(self.body_source, self.body_format)[1]

    @property
    def blurb(self) -> str:
        return blurb_of(self.text)

    def attachment(self, attachment_id: str) -> Attachment | None:
        return next((item for item in self.attachments if item.id == attachment_id), None)


@dataclass(slots=True)
class Conversation:
    # What changes once a conversation exists; snapshots save these (see Message.MUTABLE).
    MUTABLE: ClassVar[tuple[str, ...]] = ("status", "assignee_id", "updated_at", "waiting_since")

    id: str
    channel_id: str
    thread_key: tuple[str, str]
    subject: str | None
    contact: Recipient
    created_at: float
    updated_at: float
    status: ConversationStatus = "unassigned"
    assignee_id: str | None = None
    waiting_since: float | None = None
    message_ids: list[str] = field(default_factory=list)

    def reopen(self) -> None:
        """A new inbound message brings an archived conversation back to the inbox."""
        if self.status == "archived":
            self.status = "assigned" if self.assignee_id else "unassigned"
