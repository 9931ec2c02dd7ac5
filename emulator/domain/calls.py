"""Calls of a voice application channel (Front's Channel API `…/calls`): what the app reports of a phone
call, kept per channel by the app's `external_call_id`.

A call is a message of type `call` in a conversation of its channel, created when the app reports the
call (no creation delay: the app's next request names the call, and must find it). A call threads into
the conversation of the call its `parent_external_call_id` names (a transferred call joins the call it
came from); a parent the channel does not know (or the call itself, or "") starts the thread. Its status
history, recordings, summary and transcript are kept on the call; the message shows them (wire/).
What the app may report, and when, is in emulator/domain/call_reports.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Literal

from emulator.domain.messages import Attachment, Contact, Message
from emulator.domain.rendering import blurb_of, rendered_body

CallDirection = Literal["inbound", "outbound"]
CallStatus = Literal["queued", "ringing", "connected", "hold", "hangup", "abandoned", "missed", "transferred"]
ENDED_STATUSES: frozenset[str] = frozenset({"hangup", "abandoned", "missed", "transferred"})
RecordingType = Literal["call", "voicemail"]
SpeakerType = Literal["internal", "external"]


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: CallStatus
    # Seconds since the epoch: the app's occurred_at (ms) when it gave one, else when it was reported.
    occurred_at: float
    agent_email: str | None = None


@dataclass(frozen=True, slots=True)
class Recording:
    recording_type: RecordingType
    attachment: Attachment


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    speaker_name: str
    content: str
    start_time_seconds: float
    speaker_type: SpeakerType

    @property
    def at(self) -> str:
        """When in the call the line was said, as minutes:seconds."""
        whole = int(self.start_time_seconds)
        return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True, slots=True)
class NewCall:
    """A validated CreateCall body."""

    external_call_id: str
    direction: CallDirection
    # The other party: the caller of an inbound call, the callee of an outbound one.
    party: Contact
    initial_status: CallStatus
    parent_external_call_id: str
    started_at: float | None = None
    agent_email: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """One call as stored; replaced (never changed) by each update, so snapshots can share it."""

    channel_id: str
    external_call_id: str
    direction: CallDirection
    party: Contact
    parent_external_call_id: str
    # The external_call_id its thread is kept under (its own when it starts the thread).
    thread_root: str
    started_at: float
    message_id: str
    conversation_id: str
    history: tuple[StatusChange, ...]
    agent_email: str | None = None
    recordings: tuple[Recording, ...] = ()
    summary: str | None = None
    transcript: tuple[TranscriptLine, ...] = ()

    @property
    def status(self) -> CallStatus:
        return self.history[-1].status

    @property
    def has_ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def duration(self) -> int | None:
        """Whole seconds from the first `connected` to the end; None for a call not answered or not over."""
        connected = next((change for change in self.history if change.status == "connected"), None)
        if connected is None or not self.has_ended:
            return None
        return max(0, round(self.history[-1].occurred_at - connected.occurred_at))

    # What the call's message shows, named as Message names its own (CallBook.shown).
    @property
    def body(self) -> str:
        return rendered_body(self.body_html(), "html")[0]

    @property
    def text(self) -> str:
        return rendered_body(self.body_html(), "html")[1]

    @property
    def blurb(self) -> str:
        return blurb_of(self.text)

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        """The recordings are the call message's attachments."""
        return tuple(item.attachment for item in self.recordings)

    def attachment(self, attachment_id: str) -> Attachment | None:
        return next((item for item in self.attachments if item.id == attachment_id), None)

    def body_html(self) -> str:
        """What the call's message says: who called whom, where the call stands, summary and transcript."""
        who = escape(f"{self.party.name} ({self.party.handle})" if self.party.name else self.party.handle)
        heading = f"Inbound call from {who}" if self.direction == "inbound" else f"Outbound call to {who}"
        parts = [f"<p>{heading}: {self.status}</p>"]
        if self.summary is not None:
            parts.append(f"<p>Summary: {escape(self.summary)}</p>")
        if self.transcript:
            lines = "".join(
                f"<li>[{line.at}] {escape(line.speaker_name)} "
                f"({line.speaker_type}): {escape(line.content)}</li>"
                for line in self.transcript
            )
            parts.append(f"<p>Transcript:</p><ul>{lines}</ul>")
        return "".join(parts)


class CallBook:
    """Every call, by (channel id, external_call_id), and which call each call message shows."""

    def __init__(self) -> None:
        self._calls: dict[tuple[str, str], Call] = {}
        self._by_message: dict[str, tuple[str, str]] = {}

    def put(self, call: Call) -> None:
        key = (call.channel_id, call.external_call_id)
        self._calls[key] = call
        self._by_message[call.message_id] = key

    def call(self, channel_id: str, external_call_id: str) -> Call | None:
        return self._calls.get((channel_id, external_call_id))

    def of_message(self, message_id: str) -> Call | None:
        key = self._by_message.get(message_id)
        return self._calls[key] if key is not None else None

    def shown(self, message: Message) -> Message | Call:
        """What Front shows of a message (body, text, blurb, attachments): for a call's message, the call
        as it is now, not the body the message was created with."""
        return self.of_message(message.id) or message

    def of_channel(self, channel_id: str) -> list[Call]:
        """The channel's calls, oldest first."""
        return [call for (channel, _), call in self._calls.items() if channel == channel_id]
