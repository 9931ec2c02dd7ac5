"""The API's contact writes: create, update, delete, and add or remove a handle, as Front's rules say.

A handle belongs to one contact (emulator/domain/contacts.py): one another contact has is a conflict, so
the contact an inbound message from that handle later finds is the one the API made. Handles are
normalised as inbound senders' are, so `(555) 010-1234` given here and `+15550101234` on a message are
the same handle. Every rule is checked before anything changes: a refused write changes no state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulator.domain.contacts import Contact, ContactHandle, ContactSource
from emulator.domain.handles import normalise_handle
from emulator.domain.rules import Refusal
from emulator.domain.store import Store

# The fields of Front's Contact a write may change, with the stored name of each.
_EDITABLE = ("name", "description", "links", "custom_fields")


def create_contact(store: Store, document: dict[str, Any]) -> Contact:
    """A new contact from a checked create-contact document."""
    handles = _handles(store, document["handles"], "/handles")
    _refuse_taken(store, handles, None, "/handles")
    now = round(store.clock.now(), 3)
    contact = Contact(
        id=store.ids.new_id("crd"), created_at=now, updated_at=now, handles=handles, **_fields(document)
    )
    store.contacts.file(contact)
    _changed(store, contact)
    return contact


def update_contact(store: Store, contact: Contact, document: dict[str, Any]) -> Contact:
    """Front's PATCH: the fields given replace the contact's (custom_fields as a whole, as Front says)."""
    if not document:
        return contact
    updated = store.contacts.changed(contact, round(store.clock.now(), 3), **_fields(document))
    _changed(store, updated)
    return updated


def delete_contact(store: Store, contact: Contact) -> None:
    """The contact and its handles go; a later message from one of them makes a new contact."""
    store.contacts.delete(contact)
    _changed(store, contact)


def add_handle(store: Store, contact: Contact, handle: str, source: ContactSource) -> Contact:
    """Add a handle; one the contact already has is left as it is (Front answers 204 all the same)."""
    entry = _handles(store, [{"handle": handle, "source": source}], "")[0]
    if entry in contact.handles:
        return contact
    _refuse_taken(store, [entry], contact, "/handle")
    updated = store.contacts.changed(contact, round(store.clock.now(), 3), [*contact.handles, entry])
    _changed(store, updated)
    return updated


def remove_handle(store: Store, contact: Contact, handle: str, source: ContactSource, force: bool) -> None:
    """Remove a handle; the last one goes only with `force`, and takes the contact with it."""
    entry = _handles(store, [{"handle": handle, "source": source}], "")[0]
    if entry not in contact.handles:
        raise Refusal("not_found", f"Contact {contact.id} has no {source} handle {entry.handle}")
    remaining = [item for item in contact.handles if item != entry]
    if remaining:
        _changed(store, store.contacts.changed(contact, round(store.clock.now(), 3), remaining))
    elif force:
        delete_contact(store, contact)
    else:
        raise Refusal(
            "invalid",
            f"{entry.handle} is the last handle of contact {contact.id}: send force: true to delete the "
            "contact with it",
        )


def _handles(store: Store, documents: Iterable[dict[str, Any]], pointer: str) -> list[ContactHandle]:
    """The handles as the contact book keeps them: normalised, each once, in the order given."""
    found: list[ContactHandle] = []
    for document in documents:
        handle = document["handle"]
        if store.normalise_phone_handles:
            handle = normalise_handle(handle)
        entry = ContactHandle(document["source"], handle)
        if entry not in found:
            found.append(entry)
    return found


def _refuse_taken(store: Store, handles: list[ContactHandle], contact: Contact | None, pointer: str) -> None:
    """A 409 naming each handle that belongs to a contact other than `contact`."""
    taken = []
    for index, entry in enumerate(handles):
        owner = store.contacts.owner(entry.handle)
        if owner is not None and owner is not contact:
            where = f"{pointer}/{index}" if contact is None else pointer
            taken.append(f"{where}: {entry.handle} is already a handle of contact {owner.id}")
    if taken:
        raise Refusal("conflict", "A handle belongs to another contact", tuple(taken))


def _fields(document: dict[str, Any]) -> dict[str, Any]:
    fields = {name: document[name] for name in _EDITABLE if name in document}
    if "name" in fields:
        # An empty name is no name: Front shows the contact under its first handle again.
        fields["name"] = fields["name"] or None
    if "links" in fields:
        fields["links"] = tuple(fields["links"])
    return fields


def _changed(store: Store, contact: Contact) -> None:
    store.notify("contact_changed", contact_id=contact.id)
