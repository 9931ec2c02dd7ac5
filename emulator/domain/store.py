"""The one state store: workspace, inbound messages awaiting creation, messages, conversations, outbox.

Creation is asynchronous as in Front: `accept_incoming` only queues the message with its due time, and
every read first `settle`s whatever is due by the injected clock, so a frozen clock needs no timers.
Every change goes through a method here, which tells the listeners; the outbound lifecycle's rules live
in the outbox (emulator/domain/outbox.py), which the store holds.
"""

from __future__ import annotations

import bisect
import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from emulator.domain.app_events import AppEvent
from emulator.domain.clock import Clock, ControllableClock
from emulator.domain.comments import CommentBook
from emulator.domain.contacts import ContactBook
from emulator.domain.creation_delay import CreationDelay
from emulator.domain.deliveries import Delivery
from emulator.domain.events import EventLog, EventSource, EventType, status_change_event
from emulator.domain.handles import normalise_handle
from emulator.domain.ids import IdSource
from emulator.domain.messages import (
    Attachment,
    AttachmentUpload,
    Conversation,
    ConversationStatus,
    ExternalIds,
    IncomingMessage,
    Message,
    Recipient,
    SyncedMessage,
    TeammateMessage,
)
from emulator.domain.outbox import Outbox, Send
from emulator.domain.ratelimit import RateLimiter
from emulator.domain.rules import Refusal
from emulator.domain.snapshot_state import capture_state, restore_state
from emulator.domain.snapshots import Snapshots
from emulator.domain.tags import TagBook
from emulator.domain.threads import ThreadKey, thread_key
from emulator.domain.workspace import ApiToken, Application, Channel, Teammate, Workspace

CHANNEL_ADDRESS_ALIAS = "alt:address:"
MESSAGE_UID_ALIAS = "alt:uid:"

# listener(kind, ids): kind is message_created, message_state, delivery_recorded, conversation_changed,
# channel_changed, application_changed or reset; ids names what changed (channel_id, conversation_id,
# message_id, delivery_id, application_uid).
Listener = Callable[[str, dict[str, str]], None]


# Injected or configured once, or kept across resets: not state, so snapshots leave them as they are. The
# clock is not part of a snapshot either: time does not go back.
_NOT_STATE = frozenset(
    {
        "initial_workspace",
        "clock",
        "ids",
        "creation_delay",
        "rate_limiter",
        "normalise_phone_handles",
        "listeners",
        "snapshots",
        "generation",
    }
)


@dataclass(slots=True)
class _AwaitingCreation:
    message_uid: str
    channel: Channel
    incoming: IncomingMessage


@dataclass(slots=True)
class _AwaitingSync:
    """A Channel API sync of an application channel, accepted and waiting like any inbound message."""

    message_uid: str
    channel: Channel
    synced: SyncedMessage


class Store:
    def __init__(
        self,
        workspace: Workspace,
        clock: Clock,
        ids: IdSource,
        creation_delay: CreationDelay,
        rate_limiter: RateLimiter,
        normalise_phone_handles: bool = True,
    ) -> None:
        # `reset` goes back to this, even after channels were changed or added at run time.
        self.initial_workspace = workspace
        self.clock = clock
        self.ids = ids
        self.creation_delay = creation_delay
        self.rate_limiter = rate_limiter
        self.normalise_phone_handles = normalise_phone_handles
        # Observers of changes (the inspector's live updates), kept across resets. Called synchronously in
        # the thread that changed the store, so they must be quick and must not raise.
        self.listeners: list[Listener] = []
        self.snapshots = Snapshots(self)
        # Bumped by every reset, seed and restore: a delivery attempt begun under an earlier number belongs
        # to a state that is gone, and is dropped rather than written into the new one.
        self.generation = 0
        self.load_workspace(workspace)

    def notify(self, kind: str, **ids: str) -> None:
        for listener in self.listeners:
            listener(kind, ids)

    def load_workspace(self, workspace: Workspace) -> None:
        """Start afresh on `workspace`: no messages, conversations, deliveries or snapshots, fresh rate
        budgets, and ids from the seed again, so the same requests hand out the same ids and uids."""
        self.generation += 1
        self.ids.reset()
        self.rate_limiter.clear()
        self.snapshots.clear()
        self.workspace = workspace
        self._channels_by_id = {channel.id: channel for channel in workspace.channels}
        self._channels_by_address = {channel.address: channel for channel in workspace.channels}
        self._tokens = {token.token: token for token in workspace.tokens}
        self._teammates = {teammate.id: teammate for teammate in workspace.teammates}
        self._applications = {application.uid: application for application in workspace.applications}
        self._awaiting_creation: list[tuple[float, int, _AwaitingCreation | _AwaitingSync]] = []
        # (channel id, external id) -> message_uid: an application channel's messages by the app's ids.
        self._external_ids: dict[tuple[str, str], str] = {}
        self._messages: dict[str, Message] = {}
        self._messages_by_uid: dict[str, Message] = {}
        self._conversations: dict[str, Conversation] = {}
        self._conversation_messages: dict[str, list[Message]] = {}
        self._threads: dict[tuple[str, ThreadKey], Conversation] = {}
        self.contacts = ContactBook()
        self.events = EventLog()
        self.comments = CommentBook()
        self.tags = TagBook()
        self._channel_recipients: dict[str, Recipient] = {}
        self._seq = 0
        # The event journal (emulator/domain/app_events.py), oldest first.
        self.app_events: list[AppEvent] = []
        self.outbox = Outbox(self)
        self._load_history(workspace)

    def _load_history(self, workspace: Workspace) -> None:
        """The workspace file's conversation history, created as if it had arrived before now."""
        now = self.clock.now()
        # sorted() is stable: messages with the same offset keep the file's order.
        for item in sorted(workspace.history, key=lambda message: message.created_at):
            channel = self._channels_by_id.get(item.channel) or self._channels_by_address.get(item.channel)
            assert channel is not None, "workspace_from_checked_document checks history channels"
            incoming = IncomingMessage(
                sender_handle=item.sender_handle,
                body=item.body,
                sender_name=item.sender_name,
                subject=item.subject,
                body_format=item.body_format,
                thread_ref=item.thread_ref,
            )
            awaiting = _AwaitingCreation(self.ids.new_uid(), channel, incoming)
            self._create_inbound(awaiting, now + item.created_at)
        if self.listeners:
            self.notify("reset")

    def reset(self) -> None:
        """Back to how the emulator started: the workspace it loaded (not a seeded one), the clock as it
        started, and everything `load_workspace` starts afresh."""
        if isinstance(self.clock, ControllableClock):
            self.clock.reset()
        self.load_workspace(self.initial_workspace)

    def capture(self) -> dict[str, Any]:
        """Every piece of state, for snapshots, without copying a message (see domain/snapshot_state.py)."""
        return capture_state(self, _NOT_STATE)

    def restore(self, state: dict[str, Any]) -> None:
        """Put back what `capture` returned; it stays intact, so it can be restored again."""
        self.generation += 1
        restore_state(self, state)
        # Everything may have changed: observers (the inspector) start over as after a reset.
        self.notify("reset")

    # -- workspace -------------------------------------------------------------------------------

    def token(self, token: str) -> ApiToken | None:
        return self._tokens.get(token)

    def teammate(self, teammate_id: str) -> Teammate | None:
        return self._teammates.get(teammate_id)

    def application(self, uid: str) -> Application | None:
        return self._applications.get(uid)

    def add_application(self, application: Application) -> None:
        """A new application; its uid must be new (emulator.domain.applications checks)."""
        self.workspace = replace(self.workspace, applications=(*self.workspace.applications, application))
        self._applications[application.uid] = application
        self.notify("application_changed", application_uid=application.uid)

    def record_app_event(self, event: AppEvent) -> AppEvent:
        """Journal an event sent to an app under a fresh id."""
        recorded = replace(event, id=self.ids.new_id("evt"))
        self.app_events.append(recorded)
        self.notify("app_event_recorded", event_id=recorded.id, channel_id=recorded.channel_id or "")
        return recorded

    def remove_channel(self, channel: Channel) -> None:
        """Take a channel out of the workspace; its conversations and messages stay readable, as in Front."""
        self.workspace = replace(
            self.workspace, channels=tuple(item for item in self.workspace.channels if item.id != channel.id)
        )
        self._channels_by_id.pop(channel.id, None)
        self._channels_by_address.pop(channel.address, None)
        self.notify("channel_changed", channel_id=channel.id)

    def channel(self, reference: str) -> Channel | None:
        """`cha_…` or `alt:address:<address>`, URL-encoded or not."""
        channel = self._channels_by_id.get(reference)
        if channel is not None:
            return channel
        reference = unquote(reference)
        if reference.startswith(CHANNEL_ADDRESS_ALIAS):
            return self._channels_by_address.get(reference[len(CHANNEL_ADDRESS_ALIAS) :])
        return self._channels_by_id.get(reference)

    # -- inbound ---------------------------------------------------------------------------------

    def accept_incoming(self, channel: Channel, incoming: IncomingMessage) -> str:
        """Queue an incoming message for creation after the creation delay; return its message_uid."""
        message_uid = self.ids.new_uid()
        self._queue_creation(_AwaitingCreation(message_uid, channel, incoming))
        return message_uid

    def _queue_creation(self, awaiting: _AwaitingCreation | _AwaitingSync) -> None:
        delay = self.creation_delay
        due = self.clock.now() + delay.low
        if delay.high > delay.low:
            due += (delay.high - delay.low) * self.ids.random_fraction()
        self._seq += 1
        heapq.heappush(self._awaiting_creation, (due, self._seq, awaiting))

    def accept_synced(self, channel: Channel, synced: SyncedMessage) -> str:
        """Queue an application channel's sync for creation after the creation delay; its message_uid.

        An external id names one message of its channel: a second sync with it is refused (409), so an app
        that retries a sync it believes lost does not create the message twice."""
        key = (channel.id, synced.external.external_id)
        existing = self._external_ids.get(key)
        if existing is not None:
            raise Refusal(
                "conflict",
                f"Channel {channel.id} already has a message with external_id "
                f"{synced.external.external_id!r} (message_uid {existing})",
            )
        message_uid = self.ids.new_uid()
        self._external_ids[key] = message_uid
        self._queue_creation(_AwaitingSync(message_uid, channel, synced))
        return message_uid

    def keep_external_ids(self, message: Message, ids: ExternalIds) -> None:
        """A teammate's message the app has sent: it keeps the app's ids, and its conversation threads the
        app's later syncs under that external conversation id."""
        message.external = ids
        self._external_ids[(message.channel_id, ids.external_id)] = message.message_uid
        conversation = self._conversations[message.conversation_id]
        key = ("external_conversation_id", ids.external_conversation_id)
        self._threads.setdefault((message.channel_id, key), conversation)
        self.notify_message(message)

    def external_conversation_ids(self, conversation_id: str) -> list[str]:
        """The app's ids of a conversation, from its messages (several once conversations are merged)."""
        found: list[str] = []
        for message in self._conversation_messages.get(conversation_id, []):
            if message.external is not None and message.external.external_conversation_id not in found:
                found.append(message.external.external_conversation_id)
        return found

    def message_by_external_id(self, channel: Channel, external_id: str) -> Message | None:
        uid = self._external_ids.get((channel.id, external_id))
        return self.message(MESSAGE_UID_ALIAS + uid) if uid is not None else None

    @property
    def awaiting_creation_count(self) -> int:
        return len(self._awaiting_creation)

    def next_creation_at(self) -> float | None:
        return self._awaiting_creation[0][0] if self._awaiting_creation else None

    def settle(self) -> list[Message]:
        """Create every accepted message whose creation time has come, oldest first."""
        awaiting = self._awaiting_creation
        if not awaiting:
            return []
        now = self.clock.now()
        created = []
        while awaiting and awaiting[0][0] <= now:
            due, _, item = heapq.heappop(awaiting)
            if isinstance(item, _AwaitingSync):
                created.append(self._create_synced(item, due))
            else:
                created.append(self._create_inbound(item, due))
        return created

    def _create_inbound(self, item: _AwaitingCreation, created_at: float) -> Message:
        incoming = item.incoming
        channel = item.channel
        handle = incoming.sender_handle
        if self.normalise_phone_handles:
            handle = normalise_handle(handle)
        created_at = round(created_at, 3)
        contact_id = self.contacts.see(
            handle,
            channel.settings.contact_type,
            incoming.sender_name,
            created_at,
            self._new_contact_id,
            incoming.sender_contact_id,
        )
        contact = Recipient(handle=handle, role="from", name=incoming.sender_name, contact_id=contact_id)
        key = thread_key(handle, incoming.thread_ref)
        conversation = self._conversation_for(channel, key)
        if conversation is None:
            conversation = self._start_conversation(channel, key, incoming.subject, contact, created_at)
        if conversation.status == "archived":
            conversation.reopen()
            self.events.record("reopen", conversation.id, created_at, "recipient")
        conversation.updated_at = created_at
        if conversation.waiting_since is None:
            conversation.waiting_since = created_at
        message = self._new_message(
            channel,
            conversation,
            created_at,
            incoming.attachments,
            item.message_uid,
            is_inbound=True,
            subject=incoming.subject,
            body_source=incoming.body,
            body_format=incoming.body_format,
            recipients=(contact, self._channel_recipient(channel)),
            thread_ref=incoming.thread_ref,
            headers=incoming.headers,
        )
        self.events.record("inbound", conversation.id, created_at, "recipient", None, "message", message.id)
        # Checked here rather than in _notify: this is the incoming hot path.
        if self.listeners:
            self.notify_message(message, "message_created")
        return message

    def _create_synced(self, item: _AwaitingSync, due: float) -> Message:
        """An application channel's message: threaded by the app's external conversation id, dated by
        its delivered_at when it gave one."""
        synced = item.synced
        channel = item.channel
        created_at = round(synced.delivered_at if synced.delivered_at is not None else due, 3)
        handles = [
            normalise_handle(contact.handle) if self.normalise_phone_handles else contact.handle
            for contact in synced.contacts
        ]
        contacts = tuple(
            Recipient(
                handle=handle,
                role="from" if synced.is_inbound else "to",
                name=contact.name,
                contact_id=self.contacts.see(
                    handle, channel.settings.contact_type, contact.name, created_at, self._new_contact_id
                ),
            )
            for handle, contact in zip(handles, synced.contacts, strict=True)
        )
        key = ("external_conversation_id", synced.external.external_conversation_id)
        conversation = self._conversation_for(channel, key)
        is_reply = conversation is not None
        if conversation is None:
            contact = contacts[0] if synced.is_inbound else replace(contacts[0], role="from")
            conversation = self._start_conversation(channel, key, synced.subject, contact, created_at)
        conversation.updated_at = max(conversation.updated_at, created_at)
        if synced.is_inbound:
            conversation.reopen()
            if conversation.waiting_since is None:
                conversation.waiting_since = created_at
            recipients: tuple[Recipient, ...] = (contacts[0], self._channel_recipient(channel))
        else:
            conversation.waiting_since = None
            sender = Recipient(handle=channel.address, role="from", name=synced.sender_name)
            recipients = (sender, *contacts)
        message = self._new_message(
            channel,
            conversation,
            created_at,
            synced.attachments,
            item.message_uid,
            is_inbound=synced.is_inbound,
            subject=synced.subject,
            body_source=synced.body,
            # The Channel API's body is HTML or text, shown as given.
            body_format="html",
            recipients=recipients,
            author_id=synced.author_id,
            # The app has already sent an outbound sync: it is not delivered again.
            delivery_status=None if synced.is_inbound else "sent",
            external=synced.external,
        )
        source: EventSource = "recipient" if synced.is_inbound else "teammate" if synced.author_id else "api"
        kind: EventType = "inbound" if synced.is_inbound else "out_reply" if is_reply else "outbound"
        self.events.record(kind, conversation.id, created_at, source, synced.author_id, "message", message.id)
        self.notify_message(message, "message_created")
        return message

    def _new_message(
        self,
        channel: Channel,
        conversation: Conversation,
        created_at: float,
        uploads: tuple[AttachmentUpload, ...],
        message_uid: str | None,
        **fields: Any,
    ) -> Message:
        """A message of `channel` in `conversation`, filed in every index; a fresh message_uid if none.

        Its id comes before its message_uid and attachment ids, so a seed hands out the same ids."""
        self._seq += 1
        message_id = self.ids.new_id("msg")
        message = Message(
            id=message_id,
            message_uid=message_uid if message_uid is not None else self.ids.new_uid(),
            channel_id=channel.id,
            conversation_id=conversation.id,
            seq=self._seq,
            created_at=created_at,
            attachments=tuple(
                Attachment(self.ids.new_id("fil"), upload.filename, upload.content_type, upload.data)
                for upload in uploads
            ),
            **fields,
        )
        self._messages[message.id] = message
        self._messages_by_uid[message.message_uid] = message
        self._conversation_messages[conversation.id].append(message)
        return message

    def _conversation_for(self, channel: Channel, key: ThreadKey) -> Conversation | None:
        conversation = self._threads.get((channel.id, key))
        if conversation is None or conversation.status == "deleted":
            return None
        return conversation

    def _start_conversation(
        self, channel: Channel, key: ThreadKey, subject: str | None, contact: Recipient, created_at: float
    ) -> Conversation:
        """A new conversation, registered under its thread key (inbound) or a key of its own (outbound)."""
        conversation = Conversation(
            id=self.ids.new_id("cnv"),
            channel_id=channel.id,
            thread_key=key,
            subject=subject,
            contact=contact,
            created_at=created_at,
            updated_at=created_at,
        )
        self._conversations[conversation.id] = conversation
        self._conversation_messages[conversation.id] = []
        self._threads[(channel.id, key)] = conversation
        return conversation

    def _channel_recipient(self, channel: Channel) -> Recipient:
        """The `to` of every inbound message of a channel: one shared object, not one per message."""
        recipient = self._channel_recipients.get(channel.address)
        if recipient is None:
            recipient = Recipient(handle=channel.address, role="to")
            self._channel_recipients[channel.address] = recipient
        return recipient

    def _new_contact_id(self) -> str:
        return self.ids.new_id("crd")

    # -- reading ---------------------------------------------------------------------------------

    def message(self, reference: str) -> Message | None:
        """`msg_…` or `alt:uid:<message_uid>`; None until the message is created."""
        self.settle()
        message = self._messages.get(reference)
        if message is not None:
            return message
        reference = unquote(reference)
        if reference.startswith(MESSAGE_UID_ALIAS):
            return self._messages_by_uid.get(reference[len(MESSAGE_UID_ALIAS) :])
        return self._messages.get(reference)

    def conversation(self, conversation_id: str) -> Conversation | None:
        self.settle()
        return self._conversations.get(conversation_id)

    def conversation_messages(
        self, conversation: Conversation, limit: int, before_seq: int | None
    ) -> tuple[list[Message], int | None]:
        """A page of the conversation's messages, newest first, and the cursor of the next page."""
        self.settle()
        messages = self._conversation_messages[conversation.id]
        end = len(messages) if before_seq is None else bisect.bisect_left(messages, before_seq, key=_seq_of)
        start = max(0, end - limit)
        page = messages[start:end][::-1]
        return page, (page[-1].seq if start > 0 else None)

    def last_inbound_message(self, conversation: Conversation) -> Message | None:
        """The message a reply answers: Front replies to the conversation's latest inbound message."""
        messages = self._conversation_messages[conversation.id]
        return next((message for message in reversed(messages) if message.is_inbound), None)

    def last_message(self, conversation: Conversation) -> Message | None:
        messages = self._conversation_messages[conversation.id]
        return messages[-1] if messages else None

    def set_conversation_status(self, conversation: Conversation, status: str) -> None:
        """Front's PATCH statuses: archived, open (back to assigned/unassigned), deleted."""
        new_status: ConversationStatus
        if status == "open":
            new_status = "assigned" if conversation.assignee_id else "unassigned"
        elif status in ("archived", "deleted"):
            new_status = status  # type: ignore[assignment]
        else:
            raise ValueError(f"unsupported conversation status {status!r}")
        now = round(self.clock.now(), 3)
        event = status_change_event(conversation.status, new_status)
        if event is not None:
            self.events.record(event, conversation.id, now)
        conversation.status = new_status
        conversation.updated_at = now
        self.notify(
            "conversation_changed", channel_id=conversation.channel_id, conversation_id=conversation.id
        )

    @property
    def message_count(self) -> int:
        self.settle()
        return len(self._messages)

    @property
    def conversation_count(self) -> int:
        self.settle()
        return len(self._conversations)

    def conversations(self) -> list[Conversation]:
        """Every conversation, in creation order (the inspector lists and filters them)."""
        self.settle()
        return list(self._conversations.values())

    # -- outbound --------------------------------------------------------------------------------

    def replace_channel(self, channel: Channel) -> None:
        """Add a channel, or swap in a channel with new settings (same id), keeping workspace order."""
        channels = list(self.workspace.channels)
        index = next((i for i, item in enumerate(channels) if item.id == channel.id), None)
        if index is None:
            channels.append(channel)
        else:
            self._channels_by_address.pop(channels[index].address, None)
            channels[index] = channel
        self.workspace = replace(self.workspace, channels=tuple(channels))
        self._channels_by_id[channel.id] = channel
        self._channels_by_address[channel.address] = channel
        self.notify("channel_changed", channel_id=channel.id)

    def add_outbound(
        self,
        channel: Channel,
        conversation: Conversation | None,
        outgoing: TeammateMessage,
        contact: Recipient,
    ) -> Message:
        """Record a teammate's message as pending until the channel's undo window has passed."""
        now = round(self.clock.now(), 3)
        is_reply = conversation is not None
        if conversation is None:
            # A teammate's new message starts a conversation no inbound message threads into.
            key = ("outbound", self.ids.new_uid())
            conversation = self._start_conversation(channel, key, outgoing.subject, contact, now)
        send_at = now + channel.settings.undo_send_time
        message = self._new_message(
            channel,
            conversation,
            now,
            outgoing.attachments,
            None,
            is_inbound=False,
            subject=outgoing.subject,
            body_source=outgoing.body,
            body_format="html",
            recipients=(Recipient(handle=channel.address, role="from"), *outgoing.recipients),
            headers={"in_reply_to": outgoing.replied_to_id} if outgoing.replied_to_id else None,
            author_id=outgoing.author_id,
            delivery_status="pending",
            replied_to_id=outgoing.replied_to_id,
            send_at=send_at,
        )
        self.outbox.plan(Send(message), send_at)
        conversation.updated_at = now
        conversation.waiting_since = None
        source: EventSource = "teammate" if outgoing.author_id else "api"
        self.events.record(
            "out_reply" if is_reply else "outbound",
            conversation.id,
            now,
            source,
            outgoing.author_id,
            "message",
            message.id,
        )
        if channel.settings.auto_assign and conversation.assignee_id is None and outgoing.author_id:
            conversation.assignee_id = outgoing.author_id
            conversation.status = "assigned"
            self.events.record(
                "assign", conversation.id, now, source, outgoing.author_id, "teammate", outgoing.author_id
            )
        if outgoing.archive and conversation.status != "archived":
            conversation.status = "archived"
            self.events.record("archive", conversation.id, now, source, outgoing.author_id)
        self.notify_message(message, "message_created")
        return message

    @property
    def deliveries(self) -> deque[Delivery]:
        """The delivery journal, oldest first."""
        return self.outbox.deliveries

    def delivery(self, delivery_id: str) -> Delivery | None:
        return self.outbox.delivery(delivery_id)

    def notify_message(self, message: Message, kind: str = "message_state") -> None:
        self.notify(
            kind,
            channel_id=message.channel_id,
            conversation_id=message.conversation_id,
            message_id=message.id,
        )


def _seq_of(message: Message) -> int:
    return message.seq
