"""Tags: the company's labels, and which conversations carry each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tag:
    id: str
    name: str
    created_at: float
    description: str | None = None
    highlight: str | None = None
    is_visible_in_conversation_lists: bool = False


class TagBook:
    """Every tag in creation order, and each conversation's tags in the order they were added."""

    def __init__(self) -> None:
        self._by_id: dict[str, Tag] = {}
        self._of_conversation: dict[str, list[str]] = {}

    def add(self, tag: Tag) -> None:
        self._by_id[tag.id] = tag

    def tag(self, tag_id: str) -> Tag | None:
        return self._by_id.get(tag_id)

    def named(self, name: str) -> Tag | None:
        folded = name.casefold()
        return next((tag for tag in self._by_id.values() if tag.name.casefold() == folded), None)

    def all(self) -> list[Tag]:
        return list(self._by_id.values())

    def of_conversation(self, conversation_id: str) -> list[Tag]:
        return [self._by_id[tag_id] for tag_id in self._of_conversation.get(conversation_id, [])]

    def has(self, conversation_id: str, tag_id: str) -> bool:
        return tag_id in self._of_conversation.get(conversation_id, [])

    def attach(self, conversation_id: str, tag_id: str) -> None:
        self._of_conversation.setdefault(conversation_id, []).append(tag_id)

    def detach(self, conversation_id: str, tag_id: str) -> None:
        self._of_conversation[conversation_id].remove(tag_id)
