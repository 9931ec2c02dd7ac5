"""The Store's indexes: the workspace's tokens, teammates, applications and channels, and the messages
and conversations created so far. Declared and started afresh in one place: creation files messages into
them (emulator/domain/creation.py) and the lookups read them (emulator/domain/store_lookups.py)."""

from __future__ import annotations

from emulator.domain.messages import Conversation, Message
from emulator.domain.threads import ThreadKey
from emulator.domain.workspace import ApiToken, Application, Channel, Teammate, Workspace


class StoreIndexes:
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

    def _start_indexes(self, workspace: Workspace) -> None:
        """The tokens, teammates, applications and channels of `workspace`, and no messages or
        conversations."""
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
