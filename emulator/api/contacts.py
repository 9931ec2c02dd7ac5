"""Front's contact routes: the contact behind every handle the emulator has seen, and the API's writes
(emulator/domain/contact_writes.py holds their rules)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain import contact_writes
from emulator.wire.conversation_lists import conversation_list
from emulator.wire.documents import json_document
from emulator.wire.lookups import contact_or_404
from emulator.wire.pagination import page, sort_order
from emulator.wire.resources import contact_json
from emulator.wire.responses import base_url, front_json


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
    contact = contact_or_404(request.app.state.store, request.path_params["contact_id"])
    return front_json(request, contact_json(base_url(request), contact), "contact")


async def list_contact_conversations(request: Request) -> Response:
    authorise(request, "conversations:read")
    store = request.app.state.store
    contact = contact_or_404(store, request.path_params["contact_id"])
    conversations = [item for item in store.conversations() if item.contact.contact_id == contact.id]
    return conversation_list(request, conversations, f"/contacts/{contact.id}/conversations")


async def create_contact(request: Request) -> Response:
    authorise(request, "contacts:write")
    document = await json_document(request, "create-contact", what="the contact")
    contact = contact_writes.create_contact(request.app.state.store, document)
    return front_json(request, contact_json(base_url(request), contact), "contact", 201)


async def update_contact(request: Request) -> Response:
    authorise(request, "contacts:write")
    store = request.app.state.store
    contact = contact_or_404(store, request.path_params["contact_id"])
    contact_writes.update_contact(store, contact, await json_document(request, "update-contact"))
    return Response(status_code=204)


async def delete_contact(request: Request) -> Response:
    authorise(request, "contacts:delete")
    store = request.app.state.store
    contact_writes.delete_contact(store, contact_or_404(store, request.path_params["contact_id"]))
    return Response(status_code=204)


async def add_contact_handle(request: Request) -> Response:
    authorise(request, "contacts:write")
    store = request.app.state.store
    contact = contact_or_404(store, request.path_params["contact_id"])
    document = await json_document(request, "contact-handle", what="the handle")
    contact_writes.add_handle(store, contact, document["handle"], document["source"])
    return Response(status_code=204)


async def remove_contact_handle(request: Request) -> Response:
    authorise(request, "contacts:write")
    store = request.app.state.store
    contact = contact_or_404(store, request.path_params["contact_id"])
    document = await json_document(request, "delete-contact-handle", what="the handle")
    contact_writes.remove_handle(
        store, contact, document["handle"], document["source"], document.get("force", False)
    )
    return Response(status_code=204)
