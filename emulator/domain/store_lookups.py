"""Finding things in the Store: the workspace's tokens, teammates, applications and channels, and the
messages and conversations created so far, by id or by Front's aliases.

`StoreLookups` is a part of the Store (emulator/domain/store.py), which owns the indexes read here. A read
of messages or conversations first `settle`s, so it sees every message whose creation time has come.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote

from emulator.domain.messages import Conversation, Message
from emulator.domain.store_indexes import StoreIndexes
from emulator.domain.workspace import ApiToken, Application, Channel, Teammate

CHANNEL_ADDRESS_ALIAS = "alt:address:"
MESSAGE_UID_ALIAS = "alt:uid:"

Found = TypeVar("Found")


class StoreLookups(StoreIndexes):
    """The Store's reads. What they read is the store's, set up by `load_workspace`."""

    if TYPE_CHECKING:

        def settle(self) -> list[Message]: ...

    def token(self, token: str) -> ApiToken | None:
        return self._tokens.get(token)

    def teammate(self, teammate_id: str) -> Teammate | None:
        return self._teammates.get(teammate_id)

    def application(self, uid: str) -> Application | None:
        return self._applications.get(uid)

    def channel(self, reference: str) -> Channel | None:
        """`cha_…` or `alt:address:<address>`, URL-encoded or not."""
        channel = self._channels_by_id.get(reference)
        if channel is not None:
            return channel
        return _by_alias(reference, CHANNEL_ADDRESS_ALIAS, self._channels_by_address, self._channels_by_id)

    def message(self, reference: str) -> Message | None:
        """`msg_…` or `alt:uid:<message_uid>`; None until the message is created."""
        self.settle()
        message = self._messages.get(reference)
        if message is not None:
            return message
        return _by_alias(reference, MESSAGE_UID_ALIAS, self._messages_by_uid, self._messages)

    def message_by_external_id(self, channel: Channel, external_id: str) -> Message | None:
        uid = self._external_ids.get((channel.id, external_id))
        return self.message(MESSAGE_UID_ALIAS + uid) if uid is not None else None

    def external_conversation_ids(self, conversation_id: str) -> list[str]:
        """The app's ids of a conversation, from its messages (several once conversations are merged)."""
        found: list[str] = []
        for message in self._conversation_messages.get(conversation_id, []):
            if message.external is not None and message.external.external_conversation_id not in found:
                found.append(message.external.external_conversation_id)
        return found

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


def _by_alias(
    reference: str, alias: str, by_alias: dict[str, Found], by_id: dict[str, Found]
) -> Found | None:
    """A reference the id index did not know: URL-decoded, `alias` + key or an id."""
    reference = unquote(reference)
    if reference.startswith(alias):
        return by_alias.get(reference[len(alias) :])
    return by_id.get(reference)


def _seq_of(message: Message) -> int:
    return message.seq
