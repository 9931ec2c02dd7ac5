"""Contacts: the person behind each handle the emulator has seen, with their handles typed by source."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal
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
    description: str = ""
    links: tuple[str, ...] = ()
    custom_fields: dict[str, Any] = field(default_factory=dict)


class ContactBook:
    """Every contact, by id and by handle. A handle belongs to one contact whatever channel it came
    through, as the sender handle always did here; each source it was seen with is one of its handles.

    The API's writes (emulator/domain/contact_writes.py) never change a contact in place: they file a
    changed copy, so a snapshot, which shares contacts and saves only what `see` changes, keeps the old."""

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
        if not contact_id:
            # The common case, a sender seen before with this source and nothing to add: no new objects.
            known = self._by_handle.get(handle)
            if known is not None and (known.name is not None or not name):
                for entry in known.handles:
                    if entry.handle == handle and entry.source == source:
                        return known.id
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

    def owner(self, handle: str) -> Contact | None:
        """The contact a handle belongs to, whatever its source."""
        return self._by_handle.get(handle)

    def file(self, contact: Contact, previous: Contact | None = None) -> None:
        """File `contact` under its id and each of its handles, in place of `previous` (same id) if given;
        the handles `previous` had and `contact` has not are free again. A handle another contact owns stays
        its (a CustomMessage's `sender.contact_id` can list a handle on a second contact)."""
        if previous is not None:
            self._free(previous, keep={entry.handle for entry in contact.handles})
        self._by_id[contact.id] = contact
        for entry in contact.handles:
            if self._by_handle.get(entry.handle, previous) is previous:
                self._by_handle[entry.handle] = contact

    def changed(
        self, contact: Contact, now: float, handles: Iterable[ContactHandle] | None = None, **fields: Any
    ) -> Contact:
        """A copy of `contact` with `fields` (and `handles`, if given) changed, filed in its place."""
        copy = replace(
            contact, updated_at=now, handles=list(contact.handles if handles is None else handles), **fields
        )
        self.file(copy, contact)
        return copy

    def delete(self, contact: Contact) -> None:
        self._free(contact, keep=set())
        del self._by_id[contact.id]

    def _free(self, contact: Contact, keep: set[str]) -> None:
        for entry in contact.handles:
            if entry.handle not in keep and self._by_handle.get(entry.handle) is contact:
                del self._by_handle[entry.handle]

    def all(self) -> list[Contact]:
        """Every contact, oldest first."""
        return list(self._by_id.values())
