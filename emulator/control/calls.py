"""Control plane: what an application channel's app has reported through the Channel API that Front's
own API does not show whole: each call (status history, recordings, summary, transcript) and the
channel's application message templates."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.domain.call_reports import call_or_refusal
from emulator.domain.calls import Call
from emulator.domain.store import Store
from emulator.wire.lookups import channel_or_404
from emulator.wire.responses import base_url, front_json


def call_document(base: str, call: Call) -> dict[str, Any]:
    message_link = f"{base}/messages/{call.message_id}"
    return {
        "channel_id": call.channel_id,
        "external_call_id": call.external_call_id,
        "direction": call.direction,
        "party": {"handle": call.party.handle, "name": call.party.name},
        "parent_external_call_id": call.parent_external_call_id,
        "thread_root": call.thread_root,
        "agent_email_address": call.agent_email,
        "started_at": call.started_at,
        "status": call.status,
        "has_ended": call.has_ended,
        "duration": call.duration,
        "history": [
            {
                "status": change.status,
                "occurred_at": change.occurred_at,
                "agent_email_address": change.agent_email,
            }
            for change in call.history
        ],
        "recordings": [
            {
                "recording_type": recording.recording_type,
                "attachment_id": recording.attachment.id,
                "filename": recording.attachment.filename,
                "content_type": recording.attachment.content_type,
                "size": recording.attachment.size,
                "url": f"{message_link}/download/{recording.attachment.id}",
            }
            for recording in call.recordings
        ],
        "summary": call.summary,
        "transcript": [
            {
                "speaker_name": line.speaker_name,
                "content": line.content,
                "start_time_seconds": line.start_time_seconds,
                "speaker_type": line.speaker_type,
            }
            for line in call.transcript
        ],
        "message_id": call.message_id,
        "conversation_id": call.conversation_id,
    }


async def list_calls(request: Request) -> Response:
    """The channel's calls, oldest first."""
    store: Store = request.app.state.store
    channel = channel_or_404(store, request.path_params["channel_id"])
    base = base_url(request)
    results = [call_document(base, call) for call in store.calls.of_channel(channel.id)]
    return front_json(request, {"_results": results}, "call-list")


async def get_call(request: Request) -> Response:
    """One call by the app's external_call_id."""
    store: Store = request.app.state.store
    channel = channel_or_404(store, request.path_params["channel_id"])
    call = call_or_refusal(store, channel, request.path_params["external_call_id"])
    return front_json(request, call_document(base_url(request), call), "call")


async def list_message_templates(request: Request) -> Response:
    """The channel's application message templates, in the order first imported."""
    store: Store = request.app.state.store
    channel = channel_or_404(store, request.path_params["channel_id"])
    results = [template.as_document() for template in store.message_templates.of_channel(channel.id)]
    return front_json(request, {"_results": results}, "message-template-list")


routes = [
    Route("/_emulator/channels/{channel_id}/calls", list_calls, methods=["GET"]),
    Route("/_emulator/channels/{channel_id}/calls/{external_call_id}", get_call, methods=["GET"]),
    Route("/_emulator/channels/{channel_id}/message_templates", list_message_templates, methods=["GET"]),
]
