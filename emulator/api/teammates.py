"""Front's teammate routes: the teammates, their inboxes and the conversations assigned to them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain.inboxes import inboxes_of_teammate
from emulator.wire.conversation_lists import conversation_list
from emulator.wire.lookups import teammate_or_404
from emulator.wire.resources import inbox_json
from emulator.wire.responses import base_url, front_json, whole_list
from emulator.wire.serialise import teammate_json


async def list_teammates(request: Request) -> Response:
    authorise(request, "teammates:read")
    base = base_url(request)
    teammates = request.app.state.store.workspace.teammates
    results = [teammate_json(base, teammate) for teammate in teammates]
    return whole_list(request, f"{base}/teammates", results, "teammate-list")


async def get_teammate(request: Request) -> Response:
    authorise(request, "teammates:read")
    teammate = teammate_or_404(request.app.state.store, request.path_params["teammate_id"])
    return front_json(request, teammate_json(base_url(request), teammate), "teammate")


async def list_teammate_inboxes(request: Request) -> Response:
    authorise(request, "inboxes:read")
    store = request.app.state.store
    teammate = teammate_or_404(store, request.path_params["teammate_id"])
    base = base_url(request)
    results = [inbox_json(base, inbox) for inbox in inboxes_of_teammate(store.workspace, teammate)]
    return whole_list(request, f"{base}/teammates/{teammate.id}/inboxes", results, "inbox-list")


async def list_assigned_conversations(request: Request) -> Response:
    authorise(request, "conversations:read")
    store = request.app.state.store
    teammate = teammate_or_404(store, request.path_params["teammate_id"])
    conversations = [item for item in store.conversations() if item.assignee_id == teammate.id]
    return conversation_list(request, conversations, f"/teammates/{teammate.id}/conversations")
