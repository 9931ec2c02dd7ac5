"""The inspector's views of what an application channel's app reported through the Channel API: a call's
page (status history, recordings, summary, transcript), and the channel page's lists of calls and
message templates.

Each reads what the control plane answers (GET /_emulator/channels/{id}/calls[/{external_call_id}],
GET /_emulator/channels/{id}/message_templates); a call's message shows the call as it is now, as
Front's API does (CallBook.shown).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.call_reports import call_or_refusal
from emulator.domain.store import Store
from emulator.domain.workspace import Channel
from emulator.ui.error_pages import page
from emulator.ui.state import store_of
from emulator.ui.templating import render
from emulator.wire.lookups import channel_or_404


def channel_reports(store: Store, channel: Channel) -> dict[str, Any]:
    """The channel page's calls (newest first) and message templates (in the order first imported)."""
    return {
        "calls": store.calls.of_channel(channel.id)[::-1],
        "message_templates": store.message_templates.of_channel(channel.id),
    }


@page
async def call_page(request: Request) -> Response:
    store = store_of(request)
    channel = channel_or_404(store, request.path_params["channel_id"])
    call = call_or_refusal(store, channel, request.path_params["external_call_id"])
    context = {
        "channel": channel,
        "call": call,
        "parent": store.calls.call(channel.id, call.parent_external_call_id),
        "legs": [item for item in store.calls.of_channel(channel.id) if item.thread_root == call.thread_root],
        "live_scope": {"message": call.message_id},
    }
    return render(request, "call.html", context)
