"""The ways a request to an Outgoing URL (or an app's webhook) can be forged: each a small function that
takes a genuine payload and returns the body and headers a forger would send.

The table is the single list: the runner checks every forgery that applies to the scheme, and a new one
is one function and one line in :data:`FORGERIES`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.outbound.javascript_json import stringify_bytes
from emulator.signing import SCHEMES, signature_headers

__all__ = ["FORGERIES", "Forgery", "forgeries_for"]

# Well past the 5-minute tolerance Front's security guide asks receivers to enforce.
STALE_SECONDS = 600

# (the Message, its serialised body, the API secret, the scheme) -> (body sent, headers sent)
Forge = Callable[[dict[str, Any], bytes, str, str], tuple[bytes, dict[str, str]]]


@dataclass(frozen=True)
class Forgery:
    schemes: tuple[str, ...]
    # Completes "a request ...": what was done to it.
    description: str
    forge: Forge


def _wrong_secret(
    document: dict[str, Any], body: bytes, secret: str, scheme: str
) -> tuple[bytes, dict[str, str]]:
    return body, signature_headers(body, secret + "-not-the-secret", scheme)


def _altered_body(
    document: dict[str, Any], body: bytes, secret: str, scheme: str
) -> tuple[bytes, dict[str, str]]:
    return stringify_bytes(_with_altered_text(document)), signature_headers(body, secret, scheme)


def _with_altered_text(document: dict[str, Any]) -> dict[str, Any]:
    """A forger's addition to the message's text: a Message's own, or that of an app event's payload."""
    payload = document.get("payload")
    if isinstance(payload, dict) and "text" in payload:
        return dict(document, payload=_with_altered_text(payload))
    return dict(document, text=f"{document.get('text', '')} PS: wire 500 EUR to me")


def _without(header: str) -> Forge:
    """Correctly signed, then ``header`` left out."""

    def forge(
        document: dict[str, Any], body: bytes, secret: str, scheme: str
    ) -> tuple[bytes, dict[str, str]]:
        headers = signature_headers(body, secret, scheme)
        del headers[header]
        return body, headers

    return forge


def _stale_timestamp(
    document: dict[str, Any], body: bytes, secret: str, scheme: str
) -> tuple[bytes, dict[str, str]]:
    return body, signature_headers(body, secret, scheme, now=time.time() - STALE_SECONDS)


def _altered_timestamp(
    document: dict[str, Any], body: bytes, secret: str, scheme: str
) -> tuple[bytes, dict[str, str]]:
    headers = signature_headers(body, secret, scheme, now=time.time() - 1)
    headers["x-front-request-timestamp"] = str(int(headers["x-front-request-timestamp"]) + 1000)
    return body, headers


_TIMESTAMPED = ("sha256-timestamp",)
FORGERIES: dict[str, Forgery] = {
    "wrong_secret": Forgery(
        SCHEMES, "signed with a secret other than the one it verifies with", _wrong_secret
    ),
    "altered_body": Forgery(SCHEMES, "body changed after it was signed", _altered_body),
    "missing_signature": Forgery(SCHEMES, "no X-Front-Signature header", _without("x-front-signature")),
    "stale_timestamp": Forgery(_TIMESTAMPED, "correctly signed, but 10 minutes ago", _stale_timestamp),
    "altered_timestamp": Forgery(
        _TIMESTAMPED, "X-Front-Request-Timestamp changed after signing", _altered_timestamp
    ),
    "missing_timestamp": Forgery(
        _TIMESTAMPED, "no X-Front-Request-Timestamp header", _without("x-front-request-timestamp")
    ),
}


def forgeries_for(scheme: str) -> list[str]:
    """The names of the forgeries that apply to ``scheme``, in the table's order."""
    return [name for name, forgery in FORGERIES.items() if scheme in forgery.schemes]
