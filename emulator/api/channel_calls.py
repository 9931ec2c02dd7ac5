"""Front's Channel API for a voice application channel: the app reports its calls, authenticated by a
channel JWT like every Channel API route (emulator/api/channel_api.py).

Every route answers 202 with no body, as Front's spec does. What a call is in the emulated Front (a
message of type `call`, its status history, recordings, summary and transcript) is in
emulator/domain/calls.py; the rules of what an app may report, in emulator/domain/call_reports.py.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.api.channel_api import authorised_channel
from emulator.domain import call_reports
from emulator.domain.calls import NewCall, TranscriptLine
from emulator.domain.messages import AttachmentUpload, Contact
from emulator.domain.store import Store
from emulator.wire.bodies import media_type, parse_multipart, read_body
from emulator.wire.documents import checked, json_document
from emulator.wire.errors import FrontError

_RECORDING_FORM = (
    "multipart/form-data with one audio file (Content-Type audio/*) in the `attachments` field and "
    "`recording_type` (call or voicemail)"
)


def _accepted() -> Response:
    return Response(status_code=202)


async def create_call(request: Request) -> Response:
    """POST /channels/{id}/calls: a new call, inbound (`from` the caller) or outbound (`to` the callee)."""
    grant = authorised_channel(request)
    document = await json_document(request, "channel-call", what="the call")
    direction = document["direction"]
    party = document["from"] if direction == "inbound" else document["to"]
    new = NewCall(
        external_call_id=document["external_call_id"],
        direction=direction,
        party=Contact(handle=party["handle"], name=party.get("name") or None),
        initial_status=document["initial_status"],
        parent_external_call_id=document["parent_external_call_id"],
        started_at=document.get("started_at"),
        agent_email=document.get("agent_email_address"),
    )
    call_reports.create_call(request.app.state.store, grant.channel, new)
    return _accepted()


async def update_call(request: Request) -> Response:
    """PATCH /channels/{id}/calls/{external_call_id}: the call's status changed."""
    grant = authorised_channel(request)
    document = await json_document(request, "channel-call-status", what="the call status")
    call_reports.update_status(
        request.app.state.store,
        grant.channel,
        request.path_params["external_call_id"],
        document["call_status"],
        document.get("occurred_at"),
        document.get("agent_email_address"),
    )
    return _accepted()


async def add_call_recording(request: Request) -> Response:
    """POST …/calls/{external_call_id}/recording: one audio file, bounded like every attachment."""
    grant = authorised_channel(request)
    store: Store = request.app.state.store
    # Told before the upload is read: a recording for a call the channel does not have is a 404.
    call_reports.call_or_refusal(store, grant.channel, request.path_params["external_call_id"])
    if media_type(request) != "multipart/form-data":
        raise FrontError(415, f"Send the recording as {_RECORDING_FORM}")
    config = request.app.state.config
    body = await read_body(request, config.max_json_bytes + config.max_attachments_bytes)
    document, uploads = await parse_multipart(request, body, config.max_attachments_bytes)
    fields = checked(document, "channel-call-recording")
    call_reports.add_recording(
        store,
        grant.channel,
        request.path_params["external_call_id"],
        fields["recording_type"],
        _one_audio_file(uploads),
    )
    return _accepted()


def _one_audio_file(uploads: list[AttachmentUpload]) -> AttachmentUpload:
    if len(uploads) != 1:
        raise FrontError(
            400,
            "Invalid request body",
            [f"/attachments: exactly one audio file, not {len(uploads)}: send {_RECORDING_FORM}"],
        )
    audio = uploads[0]
    if not audio.content_type.lower().startswith("audio/"):
        raise FrontError(
            400,
            "Invalid request body",
            [
                f"/attachments/0: Content-Type {audio.content_type!r} is not audio/*: "
                "a recording is an audio file"
            ],
        )
    return audio


async def add_call_summary(request: Request) -> Response:
    """POST …/calls/{external_call_id}/summary {content}."""
    grant = authorised_channel(request)
    document = await json_document(request, "channel-call-summary", what="the summary")
    call_reports.add_summary(
        request.app.state.store, grant.channel, request.path_params["external_call_id"], document["content"]
    )
    return _accepted()


async def add_call_transcript(request: Request) -> Response:
    """POST …/calls/{external_call_id}/transcript {lines: [{speaker_name, content, start_time_seconds,
    speaker_type}]}."""
    grant = authorised_channel(request)
    document = await json_document(request, "channel-call-transcript", what="the transcript")
    # The schema admits exactly TranscriptLine's four fields in each line.
    lines = tuple(TranscriptLine(**line) for line in document["lines"])
    call_reports.add_transcript(
        request.app.state.store, grant.channel, request.path_params["external_call_id"], lines
    )
    return _accepted()


_CALL = "/channels/{channel_id}/calls/{external_call_id}"
routes = [
    Route("/channels/{channel_id}/calls", create_call, methods=["POST"]),
    Route(_CALL, update_call, methods=["PATCH"]),
    Route(_CALL + "/recording", add_call_recording, methods=["POST"]),
    Route(_CALL + "/summary", add_call_summary, methods=["POST"]),
    Route(_CALL + "/transcript", add_call_transcript, methods=["POST"]),
]
