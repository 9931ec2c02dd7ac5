"""What the delivery journal and the event journal both keep of a request the emulator sent: where it
went, what it carried and how it was signed, when, and the answer it got."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


# Keyword-only, so each journal's own fields keep their places in its constructor.
@dataclass(frozen=True, slots=True, kw_only=True)
class JournalledRequest:
    url: str
    request_headers: dict[str, str]
    request_body: str
    # What the signature was computed from: scheme, key name, timestamp, and the signed string's length.
    signature_input: dict[str, Any]
    started_at: float
    # Why it failed or was refused; None when it went as Front expects.
    reason: str | None
    answer_status: int | None = None
    answer_body: str | None = None

    def request_document(self, **first: Any) -> dict[str, Any]:
        """The request as the journal's document shows it, after the fields in `first`."""
        return {
            **first,
            "headers": self.request_headers,
            "body": self.request_body,
            "signature_input": self.signature_input,
        }
