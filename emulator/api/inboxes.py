"""Front's inbox routes: each channel belongs to one inbox (emulator/domain/inboxes.py)."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain.inbox import in_inbox
from emulator.domain.inboxes import channels_of, inboxes_of, teammates_of
from emulator.domain.workspace import Inbox
from emulator.wire.conversation_lists import conversation_list
from emulator.wire.lookups import inbox_or_404
from emulator.wire.resources import inbox_json
from emulator.wire.responses import resource, whole_list
from emulator.wire.serialise import channel_json, teammate_json


def _inbox(request: Request) -> Inbox:
    return inbox_or_404(request.app.state.store, request.path_params["inbox_id"])


async def list_inboxes(request: Request) -> Response:
    authorise(request, "inboxes:read")
    inboxes = inboxes_of(request.app.state.store.workspace)
    return whole_list(request, "/inboxes", inboxes, inbox_json, "inbox-list")


async def get_inbox(request: Request) -> Response:
    authorise(request, "inboxes:read")
    return resource(request, _inbox(request), inbox_json, "inbox")


async def list_inbox_channels(request: Request) -> Response:
    authorise(request, "channels:read")
    inbox = _inbox(request)
    store = request.app.state.store
    channels = channels_of(store.workspace, inbox)
    path = f"/inboxes/{inbox.id}/channels"
    return whole_list(request, path, channels, partial(channel_json, store=store), "channel-list")


async def list_inbox_conversations(request: Request) -> Response:
    authorise(request, "conversations:read")
    inbox = _inbox(request)
    conversations = in_inbox(request.app.state.store.conversations(), inbox)
    return conversation_list(request, conversations, f"/inboxes/{inbox.id}/conversations")


async def list_inbox_teammates(request: Request) -> Response:
    authorise(request, "teammates:read")
    inbox = _inbox(request)
    teammates = teammates_of(request.app.state.store.workspace, inbox)
    return whole_list(request, f"/inboxes/{inbox.id}/teammates", teammates, teammate_json, "teammate-list")
