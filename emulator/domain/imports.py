"""Front's Import Message API: history brought into an inbox without going through a channel.

An import is accepted like an inbound message (a message_uid at once, the message after the creation
delay), into the inbox's first channel, since a conversation here belongs to a channel. "Front won't
import two messages with the same external ID": an external id names one import of its inbox, and a
repeat, even one sent before the first is created, is answered with the first import's message_uid and
imports nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from emulator.domain.assignment import assign, find_teammate, tag
from emulator.domain.contacts import ContactSource
from emulator.domain.events import EventSource, EventType
from emulator.domain.handles import normalise_handle
from emulator.domain.messages import AttachmentUpload, BodyFormat, Conversation, Message, Recipient
from emulator.domain.rules import Refusal
from emulator.domain.store import Store
from emulator.domain.tags import Tag
from emulator.domain.threads import ThreadKey
from emulator.domain.workspace import Channel, Inbox

ImportType = Literal["email", "sms", "intercom", "custom"]
PartyRole = Literal["from", "to", "cc", "bcc"]
# The source of the contacts an import names, by the import's type.
CONTACT_SOURCES: dict[ImportType, ContactSource] = {
    "email": "email",
    "sms": "phone",
    "intercom": "intercom",
    "custom": "custom",
}


@dataclass(frozen=True, slots=True)
class ImportedMessage:
    """A validated ImportMessage body, with its teammates still as the client named them."""

    is_inbound: bool
    sender_handle: str
    body: str
    external_id: str
    # Seconds since the epoch: when the message really happened (it becomes created_at).
    created_at: float
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    sender_name: str | None = None
    # Outbound imports only: `tea_…` or `alt:email:…` (Front ignores it on an inbound one).
    author_id: str | None = None
    subject: str | None = None
    body_format: BodyFormat = "markdown"
    type: ImportType = "email"
    assignee_id: str | None = None
    tags: tuple[str, ...] = ()
    conversation_id: str | None = None
    thread_ref: str | None = None
    is_archived: bool = True
    attachments: tuple[AttachmentUpload, ...] = ()

    @property
    def contact_source(self) -> ContactSource:
        return CONTACT_SOURCES[self.type]


def accept_import(store: Store, inbox: Inbox, imported: ImportedMessage) -> str:
    """Queue `imported` for creation in `inbox`; its message_uid (the first one's, for a repeat)."""
    earlier = store.imports.uid(inbox.id, imported.external_id)
    if earlier is not None:
        return earlier
    resolved = _with_teammates_resolved(store, imported)
    conversation = _named_conversation(store, imported)
    # A message joins the conversation it names where it is, in the channel that conversation belongs to.
    channel = (store.channel(conversation.channel_id) if conversation else None) or _channel_of(store, inbox)
    message_uid = store.ids.new_uid()
    store.queue_creation(AwaitingImport(message_uid, channel, resolved, conversation))
    store.imports.record(inbox.id, imported.external_id, message_uid)
    return message_uid


def _named_conversation(store: Store, imported: ImportedMessage) -> Conversation | None:
    if imported.conversation_id is None:
        return None
    conversation = store.conversation(imported.conversation_id)
    if conversation is None:
        detail = f"/conversation_id: no conversation {imported.conversation_id}"
        raise Refusal("invalid", "Invalid request body", (detail,))
    return conversation


def _channel_of(store: Store, inbox: Inbox) -> Channel:
    for channel_id in inbox.channel_ids:
        channel = store.channel(channel_id)
        if channel is not None:
            return channel
    raise Refusal("invalid", f"Inbox {inbox.id} has no channel left to hold imported conversations")


def _with_teammates_resolved(store: Store, imported: ImportedMessage) -> ImportedMessage:
    """`author_id` and `assignee_id` as teammate ids; a 400 naming each reference that is no teammate."""
    problems = []
    author_id = None
    if imported.author_id is not None and not imported.is_inbound:
        author = find_teammate(store.workspace, imported.author_id)
        if author is None:
            problems.append(f"/sender/author_id: no teammate {imported.author_id} in this workspace")
        author_id = author.id if author else None
    assignee_id = None
    if imported.assignee_id is not None:
        assignee = find_teammate(store.workspace, imported.assignee_id)
        if assignee is None:
            problems.append(f"/assignee_id: no teammate {imported.assignee_id} in this workspace")
        assignee_id = assignee.id if assignee else None
    if problems:
        raise Refusal("invalid", "Invalid request body", tuple(problems))
    return replace(imported, author_id=author_id, assignee_id=assignee_id)


@dataclass(slots=True)
class AwaitingImport:
    """An accepted import, waiting for its creation like any inbound message; the conversation it was
    told to join, found when it was accepted (conversations are never removed)."""

    message_uid: str
    channel: Channel
    imported: ImportedMessage
    conversation: Conversation | None

    def create(self, store: Store, due: float) -> Message:
        return create_imported(store, self, due)


def create_imported(store: Store, item: AwaitingImport, due: float) -> Message:
    """The imported message, dated when it really happened, in the conversation it threads into.

    Threading: `conversation_id` when given; else the import's `thread_ref`, in a key space of its own
    (Front: a reference another endpoint made does not thread with it); else its contact's handle.
    Then, as Front's import does: assign, tag (a tag name that is no tag yet becomes one), and archive
    unless `is_archived` is false."""
    imported = item.imported
    channel = item.channel
    created_at = round(imported.created_at, 3)
    now = round(due, 3)
    source = imported.contact_source

    def party(handle: str, role: PartyRole, name: str | None, is_contact: bool) -> Recipient:
        if store.normalise_phone_handles:
            handle = normalise_handle(handle)
        contact_id = (
            store.contacts.see(handle, source, name, created_at, lambda: store.ids.new_id("crd"))
            if is_contact
            else None
        )
        return Recipient(handle=handle, role=role, name=name, contact_id=contact_id)

    # An inbound import's sender is the contact; an outbound one's recipients are (the sender is you).
    inbound = imported.is_inbound
    sender = party(imported.sender_handle, "from", imported.sender_name, inbound)
    recipients = (
        sender,
        *(party(handle, "to", None, not inbound) for handle in imported.to),
        *(party(handle, "cc", None, not inbound) for handle in imported.cc),
        *(party(handle, "bcc", None, not inbound) for handle in imported.bcc),
    )
    contact = sender if inbound else replace(recipients[1], role="from")
    conversation = _conversation_of(store, item, contact, created_at)
    # Creation runs inside settle(): nothing here may read through a lookup that settles again.
    is_reply = store.last_message(conversation) is not None
    conversation.updated_at = max(conversation.updated_at, created_at)
    message = store.new_message(
        channel,
        conversation,
        created_at,
        imported.attachments,
        item.message_uid,
        is_inbound=inbound,
        subject=imported.subject,
        body_source=imported.body,
        body_format=imported.body_format,
        recipients=recipients,
        thread_ref=imported.thread_ref if imported.conversation_id is None else None,
        author_id=imported.author_id,
        # An imported outbound message was sent elsewhere: it is never delivered.
        delivery_status=None if inbound else "sent",
        import_external_id=imported.external_id,
    )
    kind: EventType = "inbound" if inbound else "out_reply" if is_reply else "outbound"
    origin: EventSource = "recipient" if inbound else "teammate" if imported.author_id else "api"
    store.events.record(kind, conversation.id, created_at, origin, imported.author_id, "message", message.id)
    if inbound:
        conversation.waiting_since = conversation.waiting_since or created_at
    else:
        conversation.waiting_since = None
    _file_away(store, conversation, imported, now)
    store.notify_message(message, "message_created")
    return message


def _conversation_of(
    store: Store, item: AwaitingImport, contact: Recipient, created_at: float
) -> Conversation:
    imported = item.imported
    if item.conversation is not None:
        return item.conversation
    key: ThreadKey = (
        ("imported_thread_ref", imported.thread_ref)
        if imported.thread_ref is not None
        else ("imported_contact", contact.handle)
    )
    conversation = store.conversation_for(item.channel, key)
    if conversation is None:
        conversation = store.start_conversation(item.channel, key, imported.subject, contact, created_at)
    return conversation


def _file_away(store: Store, conversation: Conversation, imported: ImportedMessage, now: float) -> None:
    """Assignee, tags and status after the import, each change an event of the API's."""
    if imported.assignee_id is not None:
        assign(store, conversation, store.teammate(imported.assignee_id))
    if imported.tags:
        tag(store, conversation, [_tag_named(store, name, now) for name in dict.fromkeys(imported.tags)])
    if imported.is_archived:
        store.set_conversation_status(conversation, "archived")
    elif imported.is_inbound and conversation.status == "archived":
        store.set_conversation_status(conversation, "open")


def _tag_named(store: Store, name: str, now: float) -> Tag:
    found = store.tags.named(name)
    if found is None:
        found = Tag(store.ids.new_id("tag"), name, now)
        store.tags.add(found)
    return found
