"""Front's contact routes: the contact behind every handle the emulator has seen."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.wire.conversation_lists import conversation_list
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
