"""Creating messages: inbound messages and syncs from acceptance to creation (filed by store_indexes.py).

Creation is asynchronous as in Front: `accept_incoming` only queues the message with its due time, and
every read first `settle`s whatever is due by the injected clock, so a frozen clock needs no timers.
`InboundCreation` is a part of the Store (emulator/domain/store.py): the store owns the collections, the
clock and the id source it works on, so a snapshot or reset covers them with the rest of the state.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from emulator.domain.clock import Clock
from emulator.domain.contacts import ContactBook
from emulator.domain.creation_delay import CreationDelay
from emulator.domain.events import EventLog, EventSource, EventType
from emulator.domain.handles import normalise_handle
from emulator.domain.messages import (
    IncomingMessage,
    Message,
    Recipient,
    SyncedMessage,
)
from emulator.domain.rules import Refusal
from emulator.domain.store_indexes import StoreIndexes
from emulator.domain.threads import ThreadKey, thread_key
from emulator.domain.workspace import Channel, Workspace


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


class SelfCreating(Protocol):
    """An accepted message whose own module creates it when due (an import: emulator/domain/imports.py)."""

    message_uid: str

    def create(self, store: Any, due: float) -> Message: ...


Awaiting = _AwaitingCreation | _AwaitingSync | SelfCreating


class InboundCreation(StoreIndexes):
    """The Store's creation of messages. What it works on is the store's, set up by `load_workspace`."""

    clock: Clock
    creation_delay: CreationDelay
    normalise_phone_handles: bool
    listeners: list[Callable[[str, dict[str, str]], None]]
    contacts: ContactBook
    events: EventLog
    _awaiting_creation: list[tuple[float, int, Awaiting]]
    _channel_recipients: dict[str, Recipient]
    # contact id -> the recipients of its last inbound message, shared like the channel's own Recipient.
    _sender_recipients: dict[str, tuple[Recipient, Recipient]]

    if TYPE_CHECKING:

        def notify(self, kind: str, **ids: str) -> None: ...

        def notify_message(self, message: Message, kind: str = "message_state") -> None: ...

    def _start_creation(self) -> None:
        """Nothing awaiting creation."""
        self._awaiting_creation = []
        self._channel_recipients = {}
        self._sender_recipients = {}

    def _create_history(self, workspace: Workspace) -> None:
        """The workspace file's conversation history, created as if it had arrived before now."""
        now = self.clock.now()
        # sorted() is stable: messages with the same offset keep the file's order.
        for item in sorted(workspace.history, key=lambda message: message.created_at):
            channel = self._channels_by_id.get(item.channel) or self._channels_by_address.get(item.channel)
            assert channel is not None, "workspace_problems checks history channels"
            incoming = IncomingMessage(
                sender_handle=item.sender_handle,
                body=item.body,
                sender_name=item.sender_name,
                subject=item.subject,
                body_format=item.body_format,
                thread_ref=item.thread_ref,
            )
            self._create_inbound(self.ids.new_uid(), channel, incoming, now + item.created_at)
        if self.listeners:
            self.notify("reset")

    def accept_incoming(self, channel: Channel, incoming: IncomingMessage) -> str:
        """Queue an incoming message for creation after the creation delay; return its message_uid."""
        message_uid = self.ids.new_uid()
        self._queue_creation(_AwaitingCreation(message_uid, channel, incoming))
        return message_uid

    def take_incoming(self, channel: Channel, incoming: IncomingMessage) -> str:
        """`accept_incoming`, then `settle`: what incoming_messages does, so that with creation delay 0 the
        message exists before its 202 leaves. With delay 0 and nothing queued the message is created at
        once, as the queue would create it (same time, same ids), without passing through the queue."""
        if not self._queue_is_idle():
            message_uid = self.accept_incoming(channel, incoming)
            self.settle()
            return message_uid
        message_uid = self.ids.new_uid()
        # The number the queue would have given it: page cursors come from the same counter.
        self._seq += 1
        self._create_inbound(message_uid, channel, incoming, self.clock.now())
        return message_uid

    def _queue_is_idle(self) -> bool:
        """Delay 0 and nothing waiting: the queue would create a message accepted now at once."""
        return not self.creation_delay.high and not self._awaiting_creation

    def queue_creation(self, awaiting: SelfCreating) -> None:
        """Queue a message another module creates, after the creation delay like every inbound one."""
        self._queue_creation(awaiting)

    def _queue_creation(self, awaiting: Awaiting) -> None:
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
        message_uid = self._claim_external_id(channel, synced)
        self._queue_creation(_AwaitingSync(message_uid, channel, synced))
        return message_uid

    def take_synced(self, channel: Channel, synced: SyncedMessage) -> str:
        """`accept_synced`, then `settle`, with what `take_incoming` saves when nothing waits."""
        if not self._queue_is_idle():
            message_uid = self.accept_synced(channel, synced)
            self.settle()
            return message_uid
        message_uid = self._claim_external_id(channel, synced)
        self._seq += 1
        self._create_synced(message_uid, channel, synced, self.clock.now())
        return message_uid

    def _claim_external_id(self, channel: Channel, synced: SyncedMessage) -> str:
        """A message_uid for the sync, its external id taken by it (a Refusal if another message has it)."""
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
        return message_uid

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
            if isinstance(item, _AwaitingCreation):
                created.append(self._create_inbound(item.message_uid, item.channel, item.incoming, due))
            elif isinstance(item, _AwaitingSync):
                created.append(self._create_synced(item.message_uid, item.channel, item.synced, due))
            else:
                created.append(item.create(self, due))
        return created

    def _create_inbound(
        self, message_uid: str, channel: Channel, incoming: IncomingMessage, created_at: float
    ) -> Message:
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
        recipients = self._inbound_recipients(handle, incoming.sender_name, contact_id, channel)
        key = thread_key(handle, incoming.thread_ref)
        conversation = self.conversation_for(channel, key)
        if conversation is None:
            conversation = self.start_conversation(channel, key, incoming.subject, recipients[0], created_at)
        if conversation.status == "archived":
            conversation.reopen()
            self.events.record("reopen", conversation.id, created_at, "recipient")
        conversation.updated_at = created_at
        if conversation.waiting_since is None:
            conversation.waiting_since = created_at
        message = self.new_message(
            channel,
            conversation,
            created_at,
            incoming.attachments,
            message_uid,
            is_inbound=True,
            subject=incoming.subject,
            body_source=incoming.body,
            body_format=incoming.body_format,
            recipients=recipients,
            # The conversation's own string (its thread key is this one): one copy per thread, not one per
            # message.
            thread_ref=None if incoming.thread_ref is None else conversation.thread_key[1],
            headers=incoming.headers,
        )
        self.events.record("inbound", conversation.id, created_at, "recipient", None, "message", message.id)
        # Checked here rather than in _notify: this is the incoming hot path.
        if self.listeners:
            self.notify_message(message, "message_created")
        return message

    def _create_synced(
        self, message_uid: str, channel: Channel, synced: SyncedMessage, due: float
    ) -> Message:
        """An application channel's message: threaded by the app's external conversation id, dated by
        its delivered_at when it gave one."""
        key = ("external_conversation_id", synced.external.external_conversation_id)
        return self._file_app_message(channel, key, synced, message_uid, due, keep_ids=True)

    def add_call_message(self, channel: Channel, thread_root: str, call: SyncedMessage) -> Message:
        """A call's message (emulator/domain/call_reports.py), created at once rather than after the
        creation delay (the app's next request names the call), threaded by the call's first leg. The
        call's ids stay the call's: the message is no synced message the app could update as one."""
        key = ("external_call_id", thread_root)
        return self._file_app_message(channel, key, call, None, self.clock.now(), keep_ids=False)

    def _file_app_message(
        self,
        channel: Channel,
        key: ThreadKey,
        synced: SyncedMessage,
        message_uid: str | None,
        due: float,
        keep_ids: bool,
    ) -> Message:
        created_at = round(synced.delivered_at if synced.delivered_at is not None else due, 3)
        parties = []
        for party in synced.contacts:
            handle = normalise_handle(party.handle) if self.normalise_phone_handles else party.handle
            contact_id = self.contacts.see(
                handle, channel.settings.contact_type, party.name, created_at, self._new_contact_id
            )
            if synced.is_inbound:
                # The sender, the only party of an inbound sync.
                inbound_recipients = self._inbound_recipients(handle, party.name, contact_id, channel)
                parties.append(inbound_recipients[0])
            else:
                parties.append(Recipient(handle=handle, role="to", name=party.name, contact_id=contact_id))
        contacts = tuple(parties)
        conversation = self.conversation_for(channel, key)
        is_reply = conversation is not None
        if conversation is None:
            contact = contacts[0] if synced.is_inbound else replace(contacts[0], role="from")
            conversation = self.start_conversation(channel, key, synced.subject, contact, created_at)
        conversation.updated_at = max(conversation.updated_at, created_at)
        if synced.is_inbound:
            conversation.reopen()
            if conversation.waiting_since is None:
                conversation.waiting_since = created_at
            recipients: tuple[Recipient, ...] = inbound_recipients
        else:
            conversation.waiting_since = None
            sender = Recipient(handle=channel.address, role="from", name=synced.sender_name)
            recipients = (sender, *contacts)
        message = self.new_message(
            channel,
            conversation,
            created_at,
            synced.attachments,
            message_uid,
            is_inbound=synced.is_inbound,
            subject=synced.subject,
            body_source=synced.body,
            # The Channel API's body is HTML or text, shown as given.
            body_format="html",
            recipients=recipients,
            author_id=synced.author_id,
            # The app has already sent an outbound sync: it is not delivered again.
            delivery_status=None if synced.is_inbound else "sent",
            external=synced.external if keep_ids else None,
        )
        source: EventSource = "recipient" if synced.is_inbound else "teammate" if synced.author_id else "api"
        kind: EventType = "inbound" if synced.is_inbound else "out_reply" if is_reply else "outbound"
        self.events.record(kind, conversation.id, created_at, source, synced.author_id, "message", message.id)
        if self.listeners:
            self.notify_message(message, "message_created")
        return message

    def _inbound_recipients(
        self, handle: str, name: str | None, contact_id: str, channel: Channel
    ) -> tuple[Recipient, Recipient]:
        """The `from` (the contact) and `to` (the channel) of an inbound message: one tuple shared by a
        contact's messages to a channel while its handle and name stay the same, not one per message."""
        recipients = self._sender_recipients.get(contact_id)
        if (
            recipients is None
            or recipients[0].handle != handle
            or recipients[0].name != name
            or recipients[1].handle != channel.address
        ):
            sender = Recipient(handle=handle, role="from", name=name, contact_id=contact_id)
            recipients = (sender, self._channel_recipient(channel))
            self._sender_recipients[contact_id] = recipients
        return recipients

    def _channel_recipient(self, channel: Channel) -> Recipient:
        """The `to` of every inbound message of a channel: one shared object, not one per message."""
        recipient = self._channel_recipients.get(channel.address)
        if recipient is None:
            recipient = Recipient(handle=channel.address, role="to")
            self._channel_recipients[channel.address] = recipient
        return recipient

    def _new_contact_id(self) -> str:
        return self.ids.new_id("crd")
