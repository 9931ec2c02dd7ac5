"""What an app reports of its calls (Front's Channel API `…/calls`), as the store keeps them
(emulator/domain/calls.py): a new call, its status changes, recordings, summary and transcript.

Refusals: a repeated `external_call_id` (409), a call the channel does not have (404), a status change
after the call has ended (409: hangup, abandoned, missed and transferred end a call), an
`agent_email_address` that is no teammate's (400). A refused report changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from emulator.domain.assignment import TEAMMATE_EMAIL_ALIAS, find_teammate
from emulator.domain.calls import (
    Call,
    CallStatus,
    NewCall,
    Recording,
    RecordingType,
    StatusChange,
    TranscriptLine,
)
from emulator.domain.messages import Attachment, AttachmentUpload, ExternalIds, SyncedMessage
from emulator.domain.rules import Refusal, not_on_channel
from emulator.domain.store import Store
from emulator.domain.workspace import Channel


def create_call(store: Store, channel: Channel, new: NewCall) -> Call:
    existing = store.calls.call(channel.id, new.external_call_id)
    if existing is not None:
        raise Refusal(
            "conflict",
            f"Channel {channel.id} already has a call with external_call_id {new.external_call_id!r} "
            f"(status {existing.status}): update it with PATCH /channels/{channel.id}/calls/"
            f"{new.external_call_id}",
        )
    author_id = _agent_id(store, new.agent_email)
    parent = store.calls.call(channel.id, new.parent_external_call_id)
    # A parent the channel does not know still names the thread: its other legs will join it.
    thread_root = (parent.thread_root if parent is not None else new.parent_external_call_id) or (
        new.external_call_id
    )
    started_at = round(new.started_at / 1000 if new.started_at is not None else store.clock.now(), 3)
    reported = Call(
        channel_id=channel.id,
        external_call_id=new.external_call_id,
        direction=new.direction,
        party=new.party,
        parent_external_call_id=new.parent_external_call_id,
        thread_root=thread_root,
        started_at=started_at,
        message_id="",
        conversation_id="",
        history=(StatusChange(new.initial_status, started_at, new.agent_email),),
        agent_email=new.agent_email,
    )
    is_inbound = new.direction == "inbound"
    shown = SyncedMessage(
        is_inbound=is_inbound,
        contacts=(new.party,),
        body=reported.body_html(),
        external=ExternalIds(new.external_call_id, thread_root),
        # A teammate's outbound call is theirs, as a teammate's message is; an inbound one is the caller's.
        author_id=None if is_inbound else author_id,
        delivered_at=started_at,
    )
    message = store.add_call_message(channel, thread_root, shown)
    call = replace(reported, message_id=message.id, conversation_id=message.conversation_id)
    store.put_call(call)
    return call


def call_or_refusal(store: Store, channel: Channel, external_call_id: str) -> Call:
    call = store.calls.call(channel.id, external_call_id)
    if call is None:
        how = f"create it first with POST /channels/{channel.id}/calls"
        raise not_on_channel("Call", external_call_id, channel.id, how)
    return call


def update_status(
    store: Store,
    channel: Channel,
    external_call_id: str,
    status: CallStatus,
    occurred_at: float | None,
    agent_email: str | None,
) -> Call:
    call = call_or_refusal(store, channel, external_call_id)
    _agent_id(store, agent_email)
    if call.has_ended:
        raise Refusal(
            "conflict",
            f"Call {external_call_id!r} has ended ({call.status}): its status no longer changes; a new "
            f"leg of it is a new call whose parent_external_call_id is {external_call_id!r}",
        )
    when = round(occurred_at / 1000 if occurred_at is not None else store.clock.now(), 3)
    updated = replace(call, history=(*call.history, StatusChange(status, when, agent_email)))
    store.put_call(updated)
    return updated


def add_recording(
    store: Store,
    channel: Channel,
    external_call_id: str,
    recording_type: RecordingType,
    audio: AttachmentUpload,
) -> Call:
    call = call_or_refusal(store, channel, external_call_id)
    attachment = Attachment(store.ids.new_id("fil"), audio.filename, audio.content_type, audio.data)
    updated = replace(call, recordings=(*call.recordings, Recording(recording_type, attachment)))
    store.put_call(updated)
    return updated


def add_summary(store: Store, channel: Channel, external_call_id: str, content: str) -> Call:
    """A later summary replaces the earlier one: the app's latest word on the call."""
    updated = replace(call_or_refusal(store, channel, external_call_id), summary=content)
    store.put_call(updated)
    return updated


def add_transcript(
    store: Store, channel: Channel, external_call_id: str, lines: tuple[TranscriptLine, ...]
) -> Call:
    """Lines add to those already sent: a long call's transcript may come in parts."""
    call = call_or_refusal(store, channel, external_call_id)
    updated = replace(call, transcript=(*call.transcript, *lines))
    store.put_call(updated)
    return updated


def _agent_id(store: Store, email: str | None) -> str | None:
    """The teammate an `agent_email_address` names; an unknown one is refused, as an unknown author is."""
    if email is None:
        return None
    teammate = find_teammate(store.workspace, TEAMMATE_EMAIL_ALIAS + email)
    if teammate is None:
        raise Refusal(
            "invalid",
            "Invalid request body",
            (f"/agent_email_address: no teammate with email {email} in this workspace",),
        )
    return teammate.id
