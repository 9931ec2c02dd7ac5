"""Contacts: the person behind each handle the emulator has seen, with their handles typed by source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote

# Front's ContactHandle sources; a custom channel's contact_type picks one of custom, email or phone.
ContactSource = Literal["twitter", "email", "phone", "facebook", "intercom", "front_chat", "custom"]
CONTACT_SOURCES: tuple[ContactSource, ...] = (
    "twitter",
    "email",
    "phone",
    "facebook",
    "intercom",
    "front_chat",
    "custom",
)
CONTACT_ALIAS = "alt:"


@dataclass(frozen=True, slots=True)
class ContactHandle:
    source: ContactSource
    handle: str


@dataclass(slots=True)
class Contact:
    id: str
    created_at: float
    updated_at: float
    name: str | None = None
    handles: list[ContactHandle] = field(default_factory=list)


class ContactBook:
    """Every contact, by id and by handle. A handle belongs to one contact whatever channel it came
    through, as the sender handle always did here; each source it was seen with is one of its handles."""

    def __init__(self) -> None:
        self._by_id: dict[str, Contact] = {}
        self._by_handle: dict[str, Contact] = {}

    def see(
        self,
        handle: str,
        source: ContactSource,
        name: str | None,
        now: float,
        new_id: Callable[[], str],
        contact_id: str | None = None,
    ) -> str:
        """The id of the contact behind `handle`, created on first sight; `contact_id` is the one a
        client named (CustomMessage `sender.contact_id`), which then owns the handle."""
        contact = self._by_id.get(contact_id) if contact_id else self._by_handle.get(handle)
        if contact is None:
            contact = Contact(id=contact_id or new_id(), created_at=now, updated_at=now)
            self._by_id[contact.id] = contact
        if contact_id is None or handle not in self._by_handle:
            self._by_handle[handle] = contact
        entry = ContactHandle(source, handle)
        if entry not in contact.handles:
            contact.handles.append(entry)
            contact.updated_at = now
        if contact.name is None and name:
            contact.name = name
        return contact.id

    def contact(self, reference: str) -> Contact | None:
        """`crd_…` or Front's alias `alt:<source>:<handle>` (`alt:phone:+15550101234`), URL-encoded or not."""
        found = self._by_id.get(reference)
        if found is not None:
            return found
        reference = unquote(reference)
        if not reference.startswith(CONTACT_ALIAS):
            return self._by_id.get(reference)
        source, _, handle = reference[len(CONTACT_ALIAS) :].partition(":")
        contact = self._by_handle.get(handle)
        if contact is None or not any(item.source == source for item in contact.handles):
            return None
        return contact

    def all(self) -> list[Contact]:
        """Every contact, oldest first."""
        return list(self._by_id.values())
