"""The one state store: workspace, inbound messages awaiting creation, messages, conversations, outbox.

Every change goes through a method here, which tells the listeners. The store is one facade over its
parts: it owns the collections, the clock and the id source, and holds the parts that work on them —
the creation of messages (emulator/domain/creation.py), the lookups (emulator/domain/store_lookups.py)
and the outbound lifecycle's rules in its outbox (emulator/domain/outbox.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from emulator.domain.app_events import AppEvent
from emulator.domain.calls import Call, CallBook
from emulator.domain.clock import Clock, ControllableClock
from emulator.domain.comments import CommentBook
from emulator.domain.contacts import ContactBook
from emulator.domain.creation import InboundCreation
from emulator.domain.creation_delay import CreationDelay
from emulator.domain.deliveries import Delivery
from emulator.domain.events import EventLog, EventSource, status_change_event
from emulator.domain.ids import IdSource
from emulator.domain.import_book import ImportBook
from emulator.domain.message_templates import MessageTemplate, MessageTemplateBook
from emulator.domain.messages import (
    Conversation,
    ConversationStatus,
    ExternalIds,
    Message,
    Recipient,
    TeammateMessage,
)
from emulator.domain.outbox import Outbox, Send
from emulator.domain.ratelimit import RateLimiter
from emulator.domain.snapshot_state import capture_state, restore_state
from emulator.domain.snapshots import Snapshots
from emulator.domain.store_lookups import CHANNEL_ADDRESS_ALIAS as CHANNEL_ADDRESS_ALIAS
from emulator.domain.store_lookups import MESSAGE_UID_ALIAS as MESSAGE_UID_ALIAS
from emulator.domain.store_lookups import StoreLookups
from emulator.domain.tags import TagBook
from emulator.domain.workspace import Application, Channel, Workspace

# listener(kind, ids): kind is message_created, message_state, delivery_recorded, conversation_changed,
# channel_changed, application_changed, contact_changed or reset; ids names what changed (channel_id,
# conversation_id, message_id, delivery_id, application_uid, contact_id).
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


class Store(InboundCreation, StoreLookups):
    """The emulator's state and every change to it; one per app (`app.state.store`)."""

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
        self._start_indexes(workspace)
        self.contacts = ContactBook()
        self.events = EventLog()
        self.comments = CommentBook()
        self.tags = TagBook()
        self.imports = ImportBook()
        self.calls = CallBook()
        self.message_templates = MessageTemplateBook()
        self._start_creation()
        # The event journal (emulator/domain/app_events.py), oldest first.
        self.app_events: list[AppEvent] = []
        self.outbox = Outbox(self)
        self._create_history(workspace)

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

    def keep_external_ids(self, message: Message, ids: ExternalIds) -> None:
        """A teammate's message the app has sent: it keeps the app's ids, and its conversation threads the
        app's later syncs under that external conversation id."""
        message.external = ids
        self._external_ids[(message.channel_id, ids.external_id)] = message.message_uid
        conversation = self._conversations[message.conversation_id]
        key = ("external_conversation_id", ids.external_conversation_id)
        self._threads.setdefault((message.channel_id, key), conversation)
        self.notify_message(message)

    def put_call(self, call: Call) -> None:
        """A new or updated call (emulator/domain/call_reports.py); its message shows it."""
        self.calls.put(call)
        self.notify(
            "message_state",
            channel_id=call.channel_id,
            conversation_id=call.conversation_id,
            message_id=call.message_id,
        )

    def put_message_template(self, template: MessageTemplate) -> None:
        """A new or changed application message template (emulator/domain/message_templates.py)."""
        self.message_templates.put(template)
        self.notify("channel_changed", channel_id=template.channel_id)

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
            conversation = self.start_conversation(channel, key, outgoing.subject, contact, now)
        send_at = now + channel.settings.undo_send_time
        message = self.new_message(
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
        # What notify(kind, channel_id=…, …) would pass, built directly: this runs for every message created.
        ids = {
            "channel_id": message.channel_id,
            "conversation_id": message.conversation_id,
            "message_id": message.id,
        }
        for listener in self.listeners:
            listener(kind, ids)
