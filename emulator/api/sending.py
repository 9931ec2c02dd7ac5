"""Front's routes for teammates' messages (replies and new messages) and channel settings.

The rules are the domain's (emulator.domain.sending); these routes parse, call it and answer.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain.sending import changed_channel, send_new_message, send_reply
from emulator.wire.documents import json_document, message_document, teammate_message
from emulator.wire.lookups import channel_or_404, conversation_or_404
from emulator.wire.outgoing_urls import check_settings_urls
from emulator.wire.responses import front_json


def _accepted(request: Request, uid: str) -> Response:
    request.app.state.engine.wake()
    return front_json(request, {"status": "accepted", "message_uid": uid}, "accepted-message", 202)


async def reply_to_conversation(request: Request) -> Response:
    authorise(request, "messages:send")
    store = request.app.state.store
    conversation = conversation_or_404(store, request.path_params["conversation_id"])
    document, uploads = await message_document(request, "outbound-reply")
    message = send_reply(store, conversation, teammate_message(document, uploads), document.get("channel_id"))
    return _accepted(request, message.message_uid)


async def compose_message(request: Request) -> Response:
    authorise(request, "messages:send")
    store = request.app.state.store
    channel = channel_or_404(store, request.path_params["channel_id"])
    document, uploads = await message_document(request, "outbound-message")
    message = send_new_message(store, channel, teammate_message(document, uploads))
    return _accepted(request, message.message_uid)


async def update_channel(request: Request) -> Response:
    authorise(request, "channels:write")
    store = request.app.state.store
    channel = channel_or_404(store, request.path_params["channel_id"])
    document = await json_document(request, "update-channel")
    settings = document.get("settings") or {}
    check_settings_urls(settings)
    store.replace_channel(changed_channel(channel, document.get("name", channel.name), settings))
    return Response(status_code=204)
