"""Front's contact routes: the contact behind every handle the emulator has seen, and the API's writes
(emulator/domain/contact_writes.py holds their rules)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain import contact_writes
from emulator.domain.contacts import Contact
from emulator.domain.inbox import of_contact
from emulator.wire.conversation_lists import conversation_list
from emulator.wire.documents import json_document
from emulator.wire.lookups import contact_or_404
from emulator.wire.pagination import page, sort_order
from emulator.wire.resources import contact_json
from emulator.wire.responses import base_url, front_json, resource


def _contact(request: Request) -> Contact:
    """The contact the path names: `crd_…` or `alt:<source>:<handle>`."""
    return contact_or_404(request.app.state.store, request.path_params["contact_id"])


async def list_contacts(request: Request) -> Response:
    authorise(request, "contacts:read")
    base = base_url(request)
    contacts = request.app.state.store.contacts.all()
    if sort_order(request) == "desc":
        # Front lists the newest contacts first unless asked otherwise.
        contacts = contacts[::-1]
    results, document = page(request, contacts, f"{base}/contacts")
    document["_results"] = [contact_json(base, contact) for contact in results]
    return front_json(request, document, "contact-list")


async def get_contact(request: Request) -> Response:
    authorise(request, "contacts:read")
    return resource(request, _contact(request), contact_json, "contact")


async def list_contact_conversations(request: Request) -> Response:
    authorise(request, "conversations:read")
    contact = _contact(request)
    conversations = of_contact(request.app.state.store.conversations(), contact.id)
    return conversation_list(request, conversations, f"/contacts/{contact.id}/conversations")


async def create_contact(request: Request) -> Response:
    authorise(request, "contacts:write")
    document = await json_document(request, "create-contact", what="the contact")
    contact = contact_writes.create_contact(request.app.state.store, document)
    return resource(request, contact, contact_json, "contact", 201)


async def update_contact(request: Request) -> Response:
    authorise(request, "contacts:write")
    contact = _contact(request)
    document = await json_document(request, "update-contact", what="the contact")
    contact_writes.update_contact(request.app.state.store, contact, document)
    return Response(status_code=204)


async def delete_contact(request: Request) -> Response:
    authorise(request, "contacts:delete")
    contact_writes.delete_contact(request.app.state.store, _contact(request))
    return Response(status_code=204)


async def add_contact_handle(request: Request) -> Response:
    authorise(request, "contacts:write")
    contact = _contact(request)
    document = await json_document(request, "contact-handle", what="the handle")
    contact_writes.add_handle(request.app.state.store, contact, document["handle"], document["source"])
    return Response(status_code=204)


async def remove_contact_handle(request: Request) -> Response:
    authorise(request, "contacts:write")
    contact = _contact(request)
    document = await json_document(request, "delete-contact-handle", what="the handle")
    contact_writes.remove_handle(
        request.app.state.store, contact, document["handle"], document["source"], document.get("force", False)
    )
    return Response(status_code=204)
