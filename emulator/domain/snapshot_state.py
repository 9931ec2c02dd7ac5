"""What a snapshot keeps of the store: every piece of state, without copying a message.

Messages, attachments, deliveries and the workspace are immutable once made, except the few fields named
in `Message.MUTABLE` and `Conversation.MUTABLE`: a capture copies the index structures (one dict copy
each; the append-only lists of an index are kept with their lengths) and saves those fields, which a
restore writes back. It allocates a handful of objects whatever the number of messages, so it neither
copies nor wakes the garbage collector for each of them.
"""

from __future__ import annotations

import operator
from collections.abc import Set
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

from emulator.domain.messages import Conversation, Message
from emulator.domain.outbox import Outbox

if TYPE_CHECKING:
    from emulator.domain.store import Store

# Where a capture keeps the mutable fields of the objects it shares with the live state.
_MUTABLE_FIELDS = "mutable fields"
_conversation_fields = operator.attrgetter(*Conversation.MUTABLE)
_message_fields = operator.attrgetter(*Message.MUTABLE)
_IMMUTABLE = (int, float, str, bytes, tuple, frozenset, type(None))
_STORE_MODULE = "emulator.domain.store"


def capture_state(store: Store, not_state: Set[str]) -> dict[str, Any]:
    """Every attribute of `store` but those in `not_state`, and the mutable fields of what it holds."""
    state = {name: _saved(name, value) for name, value in vars(store).items() if name not in not_state}
    conversations = list(store._conversations.values())
    messages = [message for message in store._messages.values() if not message.is_inbound]
    contacts = store.contacts.all()
    state[_MUTABLE_FIELDS] = (
        conversations,
        list(chain.from_iterable(map(_conversation_fields, conversations))),
        messages,
        list(chain.from_iterable(map(_message_fields, messages))),
        contacts,
        # A contact's handles only grow: its list is kept with its length then.
        list(chain.from_iterable((c.updated_at, c.name, c.handles, len(c.handles)) for c in contacts)),
    )
    return state


def restore_state(store: Store, state: dict[str, Any]) -> None:
    """Put back what `capture_state` returned; it stays intact, so it can be restored again."""
    for name, value in state.items():
        if name != _MUTABLE_FIELDS:
            setattr(store, name, _revived(value))
    conversations, conversation_values, messages, message_values, contacts, contact_values = state[
        _MUTABLE_FIELDS
    ]
    _write_back(conversations, Conversation.MUTABLE, conversation_values)
    _write_back(messages, Message.MUTABLE, message_values)
    for index, contact in enumerate(contacts):
        updated_at, name, handles, length = contact_values[index * 4 : index * 4 + 4]
        contact.updated_at, contact.name = updated_at, name
        contact.handles = handles if len(handles) == length else handles[:length]


@dataclass(frozen=True, slots=True)
class _AppendOnlyLists:
    """A dict of lists that are only ever appended to (the messages of each conversation), as captured:
    the lists themselves, shared, and their lengths then; a restore takes that much of each. Any dict of
    lists in the store's state is taken for such an index: a list that may shrink or change needs its own
    case in `_saved`."""

    lists: dict[str, list[Any]]
    lengths: list[int]


@dataclass(frozen=True, slots=True)
class _SavedObject:
    kind: type
    attributes: dict[str, Any]


def _saved(name: str, value: Any) -> Any:
    """One attribute as a snapshot keeps it: index structures copied, the objects in them shared."""
    if isinstance(value, dict):
        if type(next(iter(value.values()), None)) is list:
            return _AppendOnlyLists(dict(value), list(map(len, value.values())))
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, Outbox):
        return value.copy()
    if _is_domain_book(value):
        return _SavedObject(
            type(value), {key: _saved(f"{name}.{key}", item) for key, item in vars(value).items()}
        )
    if isinstance(value, _IMMUTABLE) or _is_frozen(value):
        return value
    raise TypeError(f"Store.capture cannot share or copy {name} ({type(value).__name__}): teach _saved")


def _revived(saved: Any) -> Any:
    """A fresh live copy of what `_saved` kept (the snapshot stays as it was)."""
    if isinstance(saved, _AppendOnlyLists):
        return {
            key: items[:length]
            for (key, items), length in zip(saved.lists.items(), saved.lengths, strict=True)
        }
    if isinstance(saved, dict):
        return dict(saved)
    if isinstance(saved, list):
        return list(saved)
    if isinstance(saved, Outbox):
        return saved.copy()
    if isinstance(saved, _SavedObject):
        revived: Any = object.__new__(saved.kind)
        for key, item in saved.attributes.items():
            setattr(revived, key, _revived(item))
        return revived
    return saved


def _write_back(objects: list[Any], fields: tuple[str, ...], values: list[Any]) -> None:
    width = len(fields)
    for index, item in enumerate(objects):
        for offset, name in enumerate(fields):
            setattr(item, name, values[index * width + offset])


def _is_domain_book(value: Any) -> bool:
    """A plain class of the domain holding indexes (ContactBook, EventLog, CommentBook…): its attributes
    are saved by the same rules. What such a book holds must be immutable, or saved with the mutable
    fields in `capture_state` as contacts are. The store itself (its module's classes) is never one."""
    kind = type(value)
    return (
        kind.__module__.startswith("emulator.domain.")
        and hasattr(value, "__dict__")
        and not hasattr(kind, "__dataclass_fields__")
        and kind.__module__ != _STORE_MODULE
    )


def _is_frozen(value: Any) -> bool:
    parameters = getattr(type(value), "__dataclass_params__", None)
    return parameters is not None and parameters.frozen
