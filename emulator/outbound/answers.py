"""What an integration's answer means for the message: sent, or failed with Front's type and a reason."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from emulator.schemas import validator

ERROR_TYPES = (
    "bad_request",
    "authentication_required",
    "forbidden",
    "not_found",
    "request_timeout",
    "too_many_requests",
    "internal_error",
)
_REASON_PREVIEW = 200
# Shown when the integration gives a type but no message: one sentence per Front error type.
DEFAULT_REASONS = {
    "bad_request": "The integration refused the message as malformed.",
    "authentication_required": "The integration needs to be re-authenticated before it can send.",
    "forbidden": "The integration is not allowed to send this message.",
    "not_found": "The integration could not find the recipient or conversation.",
    "request_timeout": "The integration did not deliver the message in time.",
    "too_many_requests": "The integration is rate limited; try again later.",
    "internal_error": "The integration failed while sending the message.",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    error_type: str | None
    # Always a sentence for a failure: the integration's own `message`, or ours saying what happened.
    reason: str | None
    conforms: bool

    @property
    def sent(self) -> bool:
        return self.error_type is None


def interpret_answer(status: int, body: bytes) -> Verdict:
    """Front's rules for custom channels, plus our choices for what Front leaves undocumented."""
    try:
        document = orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError:
        document = None
    conforms = document is not None and validator("outgoing-answer").is_valid(document)
    kind = document.get("type") if conforms and isinstance(document, dict) else None
    message = document.get("message") if conforms and isinstance(document, dict) else None
    if 200 <= status < 300:
        if kind == "success":
            return Verdict(None, None, True)
        if kind in ERROR_TYPES:
            return Verdict(kind, message or DEFAULT_REASONS[kind], True)
        return Verdict("internal_error", _unexpected(status, body, document), False)
    if kind in ERROR_TYPES:
        # An error answer keeps its own type whatever the status code says.
        return Verdict(kind, message or DEFAULT_REASONS[kind], True)
    # Front documents nothing here (https://dev.frontapp.com/docs/creating-a-custom-channel lists only the
    # answer types): the emulator's choice is internal_error, with the status in the reason.
    return Verdict("internal_error", _unexpected(status, body, document), conforms)


def _unexpected(status: int, body: bytes, document: object) -> str:
    if not body.strip():
        return f'The integration answered HTTP {status} with an empty body instead of {{"type": "success"}}.'
    if document is None:
        preview = body[:_REASON_PREVIEW].decode("utf-8", "replace")
        return f"The integration answered HTTP {status} with a body that is not JSON: {preview!r}."
    preview = orjson.dumps(document).decode()[:_REASON_PREVIEW]
    return f"The integration answered HTTP {status} with JSON that is not a Front answer: {preview}."
