"""Conversation actions a teammate or the API takes: assign, status, comment, tag; each an event."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

from emulator.domain.comments import Comment
from emulator.domain.inbox import OPEN_STATUSES
from emulator.domain.messages import Conversation
from emulator.domain.rules import Refusal
from emulator.domain.store import Store
from emulator.domain.tags import Tag
from emulator.domain.workspace import Teammate, Workspace

TEAMMATE_EMAIL_ALIAS = "alt:email:"
# UpdateConversation fields the emulator has nothing to apply to yet: refused, never silently dropped.
NOT_EMULATED = ("inbox_id", "status_id", "custom_fields", "description", "due_at")


def find_teammate(workspace: Workspace, reference: str) -> Teammate | None:
    """`tea_…` or `alt:email:<email>` (emails compared without case), URL-encoded or not."""
    reference = unquote(reference)
    if reference.startswith(TEAMMATE_EMAIL_ALIAS):
        email = reference[len(TEAMMATE_EMAIL_ALIAS) :].casefold()
        return next((item for item in workspace.teammates if item.email.casefold() == email), None)
    return next((item for item in workspace.teammates if item.id == reference), None)


def _teammate_named(store: Store, reference: str | None, field: str) -> Teammate | None:
    if reference is None:
        return None
    teammate = find_teammate(store.workspace, reference)
    if teammate is None:
        raise Refusal(
            "invalid", "Invalid request body", (f"/{field}: no teammate {reference} in this workspace",)
        )
    return teammate


def _refuse_not_emulated(fields: Iterable[str]) -> None:
    given = sorted(set(fields) & set(NOT_EMULATED))
    if given:
        raise Refusal(
            "invalid",
            "Invalid request body",
            tuple(f"/{name}: not emulated yet; send status, assignee_id or tag_ids" for name in given),
        )


def update_conversation(store: Store, conversation: Conversation, changes: dict[str, object]) -> None:
    """Front's PATCH: every field checked first, so a refused update changes nothing."""
    _refuse_not_emulated(changes)
    status = changes.get("status")
    if status == "spam":
        raise Refusal("invalid", "Invalid request body", ("/status: spam is not emulated yet",))
    tag_ids = changes.get("tag_ids")
    wanted = tags_named(store, tag_ids) if isinstance(tag_ids, list) else None
    if "assignee_id" in changes:
        reference = changes["assignee_id"]
        assign(
            store,
            conversation,
            _teammate_named(store, reference if isinstance(reference, str) else None, "assignee_id"),
        )
    if wanted is not None:
        current = store.tags.of_conversation(conversation.id)
        untag(store, conversation, [tag for tag in current if tag not in wanted])
        tag(store, conversation, wanted)
    if isinstance(status, str):
        store.set_conversation_status(conversation, status)


def assign(store: Store, conversation: Conversation, teammate: Teammate | None) -> None:
    """Assign `teammate` (None: unassign); an open conversation's status follows, as in Front."""
    if conversation.assignee_id == (teammate.id if teammate else None):
        return
    now = round(store.clock.now(), 3)
    if teammate is None:
        store.events.record(
            "unassign", conversation.id, now, "api", None, "teammate", conversation.assignee_id
        )
    else:
        store.events.record("assign", conversation.id, now, "api", None, "teammate", teammate.id)
    conversation.assignee_id = teammate.id if teammate else None
    if conversation.status in OPEN_STATUSES:
        conversation.status = "assigned" if teammate else "unassigned"
    conversation.updated_at = now
    store.notify("conversation_changed", channel_id=conversation.channel_id, conversation_id=conversation.id)


def assign_by_reference(store: Store, conversation: Conversation, reference: str | None) -> None:
    """PUT /conversations/{id}/assignee: `tea_…`, `alt:email:…`, or None to unassign."""
    assign(store, conversation, _teammate_named(store, reference, "assignee_id"))


def add_comment(
    store: Store, conversation: Conversation, body: str, author_reference: str | None, is_pinned: bool
) -> Comment:
    """A teammate's comment; the author is required, since a comment always shows one."""
    if author_reference is None:
        raise Refusal(
            "invalid", "Invalid request body", ("/author_id: required: a comment needs its teammate author",)
        )
    author = _teammate_named(store, author_reference, "author_id")
    assert author is not None, "a reference was given"
    now = round(store.clock.now(), 3)
    comment = Comment(store.ids.new_id("com"), conversation.id, author.id, body, now, is_pinned)
    store.comments.add(comment)
    store.events.record("comment", conversation.id, now, "teammate", author.id, "comment", comment.id)
    store.notify("conversation_changed", channel_id=conversation.channel_id, conversation_id=conversation.id)
    return comment


def tags_named(store: Store, tag_ids: list[object]) -> list[Tag]:
    """The tags `tag_ids` names, each once; a 400 naming every id that is no tag."""
    unknown = [
        f"/tag_ids/{index}: no tag {tag_id} in this workspace"
        for index, tag_id in enumerate(tag_ids)
        if not isinstance(tag_id, str) or store.tags.tag(tag_id) is None
    ]
    if unknown:
        raise Refusal("invalid", "Invalid request body", tuple(unknown))
    found = [store.tags.tag(str(tag_id)) for tag_id in dict.fromkeys(tag_ids)]
    return [item for item in found if item is not None]


def create_tag(store: Store, name: str, description: str | None, highlight: str | None, visible: bool) -> Tag:
    if store.tags.named(name) is not None:
        raise Refusal("conflict", f"A tag named {name} already exists")
    created = Tag(store.ids.new_id("tag"), name, round(store.clock.now(), 3), description, highlight, visible)
    store.tags.add(created)
    return created


def tag(store: Store, conversation: Conversation, tags: list[Tag]) -> None:
    """Add `tags` to the conversation; one it already has is left as it is."""
    now = round(store.clock.now(), 3)
    for item in tags:
        if not store.tags.has(conversation.id, item.id):
            store.tags.attach(conversation.id, item.id)
            store.events.record("tag", conversation.id, now, "api", None, "tag", item.id)
    _changed(store, conversation, now)


def untag(store: Store, conversation: Conversation, tags: list[Tag]) -> None:
    now = round(store.clock.now(), 3)
    for item in tags:
        if store.tags.has(conversation.id, item.id):
            store.tags.detach(conversation.id, item.id)
            store.events.record("untag", conversation.id, now, "api", None, "tag", item.id)
    _changed(store, conversation, now)


def _changed(store: Store, conversation: Conversation, now: float) -> None:
    conversation.updated_at = now
    store.notify("conversation_changed", channel_id=conversation.channel_id, conversation_id=conversation.id)
