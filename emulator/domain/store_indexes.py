"""The Store's indexes: the workspace's tokens, teammates, applications and channels, and the messages
and conversations created so far. Declared, started afresh and filed into in one place: creation
(emulator/domain/creation.py), imports (emulator/domain/imports.py) and the outbox's new messages file
through here, and the lookups (emulator/domain/store_lookups.py) read them."""

from __future__ import annotations

from typing import Any

from emulator.domain.ids import IdSource
from emulator.domain.messages import (
    Attachment,
    AttachmentUpload,
    BodyFormat,
    Conversation,
    DeliveryStatus,
    ExternalIds,
    Message,
    Recipient,
)
from emulator.domain.threads import ThreadKey
from emulator.domain.workspace import ApiToken, Application, Channel, Teammate, Workspace


class StoreIndexes:
    ids: IdSource
    _tokens: dict[str, ApiToken]
    _teammates: dict[str, Teammate]
    _applications: dict[str, Application]
    _channels_by_id: dict[str, Channel]
    _channels_by_address: dict[str, Channel]
    # (channel id, external id) -> message_uid: an application channel's messages by the app's ids.
    _external_ids: dict[tuple[str, str], str]
    _messages: dict[str, Message]
    _messages_by_uid: dict[str, Message]
    _conversations: dict[str, Conversation]
    # Each conversation's messages in creation order (append-only: snapshots keep their lengths).
    _conversation_messages: dict[str, list[Message]]
    # Which conversation a new message of a channel joins, by thread key.
    _threads: dict[tuple[str, ThreadKey], Conversation]
    # One counter numbers messages (the cursor of a page of messages) and orders the creation queue.
    _seq: int

    def _start_indexes(self, workspace: Workspace) -> None:
        """The tokens, teammates, applications and channels of `workspace`, and no messages or
        conversations, numbered from the start."""
        self._tokens = {token.token: token for token in workspace.tokens}
        self._teammates = {teammate.id: teammate for teammate in workspace.teammates}
        self._applications = {application.uid: application for application in workspace.applications}
        self._channels_by_id = {channel.id: channel for channel in workspace.channels}
        self._channels_by_address = {channel.address: channel for channel in workspace.channels}
        self._external_ids = {}
        self._messages = {}
        self._messages_by_uid = {}
        self._conversations = {}
        self._conversation_messages = {}
        self._threads = {}
        self._seq = 0

    def new_message(
        self,
        channel: Channel,
        conversation: Conversation,
        created_at: float,
        uploads: tuple[AttachmentUpload, ...],
        message_uid: str | None,
        *,
        is_inbound: bool,
        subject: str | None,
        body_source: str,
        body_format: BodyFormat,
        recipients: tuple[Recipient, ...],
        thread_ref: str | None = None,
        headers: dict[str, Any] | None = None,
        author_id: str | None = None,
        delivery_status: DeliveryStatus | None = None,
        replied_to_id: str | None = None,
        send_at: float | None = None,
        external: ExternalIds | None = None,
        import_external_id: str | None = None,
    ) -> Message:
        """A message of `channel` in `conversation`, filed in every index; a fresh message_uid if none.

        Its id comes before its message_uid and attachment ids, so a seed hands out the same ids."""
        self._seq += 1
        message_id = self.ids.new_id("msg")
        if message_uid is None:
            message_uid = self.ids.new_uid()
        attachments = (
            tuple(
                Attachment(self.ids.new_id("fil"), upload.filename, upload.content_type, upload.data)
                for upload in uploads
            )
            if uploads
            else ()
        )
        # In the order of Message's fields: a dataclass takes positional arguments in well under half the
        # time it takes keywords, and this runs for every message.
        message = Message(
            message_id,
            message_uid,
            channel.id,
            conversation.id,
            self._seq,
            created_at,
            is_inbound,
            subject,
            body_source,
            body_format,
            recipients,
            attachments,
            thread_ref,
            headers,
            author_id,
            None,  # error_type
            delivery_status,
            None,  # error_reason
            replied_to_id,
            send_at,
            external,
            import_external_id,
        )
        self._messages[message_id] = message
        self._messages_by_uid[message_uid] = message
        self._conversation_messages[conversation.id].append(message)
        return message

    def conversation_for(self, channel: Channel, key: ThreadKey) -> Conversation | None:
        """The conversation a new message of `channel` threaded by `key` joins; None: it starts one."""
        conversation = self._threads.get((channel.id, key))
        if conversation is None or conversation.status == "deleted":
            return None
        return conversation

    def start_conversation(
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
