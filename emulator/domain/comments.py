"""Comments: teammates' notes on a conversation, never sent to the contact."""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.domain.workspace import Teammate, Workspace

# `@username` in a comment's body mentions that teammate, as in Front's composer.
_MENTION = re.compile(r"(?<![\w@])@([\w.-]+)")


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    conversation_id: str
    author_id: str
    body: str
    posted_at: float
    is_pinned: bool = False


class CommentBook:
    """Every comment, by id and by conversation (oldest first)."""

    def __init__(self) -> None:
        self._by_id: dict[str, Comment] = {}
        self._by_conversation: dict[str, list[Comment]] = {}

    def add(self, comment: Comment) -> None:
        self._by_id[comment.id] = comment
        self._by_conversation.setdefault(comment.conversation_id, []).append(comment)

    def comment(self, comment_id: str) -> Comment | None:
        return self._by_id.get(comment_id)

    def of_conversation(self, conversation_id: str) -> list[Comment]:
        """Newest first, as Front lists them."""
        return self._by_conversation.get(conversation_id, [])[::-1]


def mentioned(workspace: Workspace, comment: Comment) -> list[Teammate]:
    names = set(_MENTION.findall(comment.body))
    return [teammate for teammate in workspace.teammates if teammate.username in names]
