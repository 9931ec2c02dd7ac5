"""The one state store: workspace, accepted-but-not-yet-created messages, messages and conversations.

Creation is asynchronous as in Front: `accept_incoming` only queues the message with its due time, and
every read first `settle`s whatever is due by the injected clock, so a frozen clock needs no timers.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass
from urllib.parse import unquote

from emulator.config import CreationDelay
from emulator.domain.clock import Clock
from emulator.domain.handles import normalise_handle
from emulator.domain.ids import IdSource
from emulator.domain.messages import (
    Attachment,
    Conversation,
    ConversationStatus,
    IncomingMessage,
    Message,
    Recipient,
)
from emulator.domain.ratelimit import RateLimiter
from emulator.domain.threading import ThreadKey, thread_key
from emulator.domain.workspace import ApiToken, Channel, Teammate, Workspace

CHANNEL_ADDRESS_ALIAS = "alt:address:"
MESSAGE_UID_ALIAS = "alt:uid:"


@dataclass(slots=True)
class _Pending:
    uid: str
    channel: Channel
    incoming: IncomingMessage


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
        self.clock = clock
        self.ids = ids
        self.creation_delay = creation_delay
        self.rate_limiter = rate_limiter
        self.normalise_phone_handles = normalise_phone_handles
        self.load_workspace(workspace)

    def load_workspace(self, workspace: Workspace) -> None:
        """Forget every message and conversation and start again from `workspace`."""
        self.workspace = workspace
        self._channels_by_id = {channel.id: channel for channel in workspace.channels}
        self._channels_by_address = {channel.address: channel for channel in workspace.channels}
        self._tokens = {token.token: token for token in workspace.tokens}
        self._teammates = {teammate.id: teammate for teammate in workspace.teammates}
        self._pending: list[tuple[float, int, _Pending]] = []
        self._messages: dict[str, Message] = {}
        self._messages_by_uid: dict[str, Message] = {}
        self._conversations: dict[str, Conversation] = {}
        self._conversation_messages: dict[str, list[Message]] = {}
        self._threads: dict[tuple[str, ThreadKey], Conversation] = {}
        self._contacts: dict[str, str] = {}
        self._seq = 0

    # -- workspace -------------------------------------------------------------------------------

    def token(self, token: str) -> ApiToken | None:
        return self._tokens.get(token)

    def teammate(self, teammate_id: str) -> Teammate | None:
        return self._teammates.get(teammate_id)

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
        uid = self.ids.new_uid()
        delay = self.creation_delay
        due = self.clock.now() + delay.low
        if delay.high > delay.low:
            due += (delay.high - delay.low) * self.ids.random_fraction()
        self._seq += 1
        heapq.heappush(self._pending, (due, self._seq, _Pending(uid, channel, incoming)))
        return uid

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def next_due(self) -> float | None:
        return self._pending[0][0] if self._pending else None

    def settle(self) -> list[Message]:
        """Create every accepted message whose creation time has come, oldest first."""
        pending = self._pending
        if not pending:
            return []
        now = self.clock.now()
        created = []
        while pending and pending[0][0] <= now:
            due, _, item = heapq.heappop(pending)
            created.append(self._create_inbound(item, due))
        return created

    def _create_inbound(self, item: _Pending, created_at: float) -> Message:
        incoming = item.incoming
        channel = item.channel
        handle = incoming.sender_handle
        if self.normalise_phone_handles:
            handle = normalise_handle(handle)
        created_at = round(created_at, 3)
        contact = Recipient(
            handle=handle,
            role="from",
            name=incoming.sender_name,
            contact_id=incoming.sender_contact_id or self._contact_id(handle),
        )
        conversation = self._conversation_for(channel, thread_key(handle, incoming.thread_ref))
        if conversation is None:
            conversation = self._start_conversation(channel, handle, incoming, contact, created_at)
        conversation.reopen()
        conversation.updated_at = created_at
        if conversation.waiting_since is None:
            conversation.waiting_since = created_at
        self._seq += 1
        message = Message(
            id=self.ids.new_id("msg"),
            uid=item.uid,
            channel_id=channel.id,
            conversation_id=conversation.id,
            seq=self._seq,
            created_at=created_at,
            is_inbound=True,
            subject=incoming.subject,
            body_source=incoming.body,
            body_format=incoming.body_format,
            recipients=(contact, Recipient(handle=channel.address, role="to")),
            attachments=tuple(
                Attachment(self.ids.new_id("fil"), upload.filename, upload.content_type, upload.data)
                for upload in incoming.attachments
            ),
            thread_ref=incoming.thread_ref,
            headers=incoming.headers,
        )
        self._messages[message.id] = message
        self._messages_by_uid[message.uid] = message
        self._conversation_messages[conversation.id].append(message)
        return message

    def _conversation_for(self, channel: Channel, key: ThreadKey) -> Conversation | None:
        conversation = self._threads.get((channel.id, key))
        if conversation is None or conversation.status == "deleted":
            return None
        return conversation

    def _start_conversation(
        self,
        channel: Channel,
        handle: str,
        incoming: IncomingMessage,
        contact: Recipient,
        created_at: float,
    ) -> Conversation:
        key = thread_key(handle, incoming.thread_ref)
        conversation = Conversation(
            id=self.ids.new_id("cnv"),
            channel_id=channel.id,
            thread_key=key,
            subject=incoming.subject,
            contact=contact,
            created_at=created_at,
            updated_at=created_at,
        )
        self._conversations[conversation.id] = conversation
        self._conversation_messages[conversation.id] = []
        self._threads[(channel.id, key)] = conversation
        return conversation

    def _contact_id(self, handle: str) -> str:
        contact_id = self._contacts.get(handle)
        if contact_id is None:
            contact_id = self._contacts[handle] = self.ids.new_id("crd")
        return contact_id

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
        conversation.status = new_status
        conversation.updated_at = round(self.clock.now(), 3)

    @property
    def message_count(self) -> int:
        self.settle()
        return len(self._messages)

    @property
    def conversation_count(self) -> int:
        self.settle()
        return len(self._conversations)


def _seq_of(message: Message) -> int:
    return message.seq
