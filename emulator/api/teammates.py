"""Front's teammate routes: the teammates, their inboxes and the conversations assigned to them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain.inboxes import inboxes_of_teammate
from emulator.domain.workspace import Teammate
from emulator.wire.conversation_lists import conversation_list
from emulator.wire.lookups import teammate_or_404
from emulator.wire.resources import inbox_json
from emulator.wire.responses import resource, whole_list
from emulator.wire.serialise import teammate_json


def _teammate(request: Request) -> Teammate:
    return teammate_or_404(request.app.state.store, request.path_params["teammate_id"])


async def list_teammates(request: Request) -> Response:
    authorise(request, "teammates:read")
    teammates = request.app.state.store.workspace.teammates
    return whole_list(request, "/teammates", teammates, teammate_json, "teammate-list")


async def get_teammate(request: Request) -> Response:
    authorise(request, "teammates:read")
    return resource(request, _teammate(request), teammate_json, "teammate")


async def list_teammate_inboxes(request: Request) -> Response:
    authorise(request, "inboxes:read")
    store = request.app.state.store
    teammate = _teammate(request)
    inboxes = inboxes_of_teammate(store.workspace, teammate)
    return whole_list(request, f"/teammates/{teammate.id}/inboxes", inboxes, inbox_json, "inbox-list")


async def list_assigned_conversations(request: Request) -> Response:
    authorise(request, "conversations:read")
    store = request.app.state.store
    teammate = _teammate(request)
    conversations = [item for item in store.conversations() if item.assignee_id == teammate.id]
    return conversation_list(request, conversations, f"/teammates/{teammate.id}/conversations")
