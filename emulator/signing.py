"""Sign and verify Front's outgoing requests: the public helpers for integrations' own tests.

Front signs what it POSTs to a channel's Outgoing URL in one of two ways (Front's guide to custom channels,
https://dev.frontapp.com/docs/creating-a-custom-channel, and https://dev.frontapp.com/docs/security-1):

``"sha1-body"`` -- custom channels (the emulator's default)
    ``X-Front-Signature: base64(HMAC-SHA1(key=company API secret, msg=body))``.
``"sha256-timestamp"`` -- application channels / the Channel API
    ``X-Front-Request-Timestamp: <t>`` (Unix time in milliseconds, like JavaScript's ``Date.now()``) and
    ``X-Front-Signature: base64(HMAC-SHA256(key=channel type secret, msg=f"{t}:" + body))``.

An integration's test checks its own verification code against the emulator, or checks what the
emulator sent with these helpers:

>>> from emulator.signing import signature_headers, verify
>>> body = b'{"type":"custom","text":"h\\xc3\\xa9"}'
>>> headers = signature_headers(body, "s3cret", "sha256-timestamp", now=1_700_000_000.0)
>>> headers["x-front-request-timestamp"]
'1700000000000'
>>> verify(headers, body, "s3cret", "sha256-timestamp", now=1_700_000_030.0)  # no exception: valid

Every failed check raises a subclass of :class:`SignatureError` (itself a ``ValueError``) saying which
check failed: :class:`MissingSignatureError`, :class:`MalformedTimestampError`,
:class:`InvalidSignatureError` or :class:`StaleTimestampError`. An unknown scheme name is a plain
``ValueError`` (a configuration mistake, not a bad request).

Most Node integrations verify ``JSON.stringify(req.body)`` rather than the raw bytes;
:func:`verify_json` does the same, using :func:`emulator.outbound.javascript_json.stringify`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import time
from collections.abc import Mapping
from typing import TypedDict, Unpack

from emulator.outbound.javascript_json import stringify_bytes

__all__ = [
    "SCHEMES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "InvalidSignatureError",
    "MalformedTimestampError",
    "MissingSignatureError",
    "SignatureError",
    "StaleTimestampError",
    "sign_sha1_body",
    "sign_sha256_timestamp",
    "signature_headers",
    "verify",
    "verify_json",
]

SCHEMES: tuple[str, str] = ("sha1-body", "sha256-timestamp")
SIGNATURE_HEADER = "X-Front-Signature"
TIMESTAMP_HEADER = "X-Front-Request-Timestamp"
# Timestamps below this are read as seconds: 1e11 s is the year 5138, 1e11 ms is March 1973, so no
# plausible timestamp is ambiguous.
_SECONDS_LIMIT = 100_000_000_000
# float's range ends at 1.8e308: any value with more digits than this is out of range.
_MAX_TIMESTAMP_DIGITS = 320


class SignatureError(ValueError):
    """A request failed signature verification; the subclass says which check failed."""


class MissingSignatureError(SignatureError):
    """A required header (``X-Front-Signature`` or ``X-Front-Request-Timestamp``) is absent."""


class InvalidSignatureError(SignatureError):
    """``X-Front-Signature`` does not match the body (and timestamp) under the secret."""


class StaleTimestampError(SignatureError):
    """``X-Front-Request-Timestamp`` is further from now than the tolerance (either direction)."""


class MalformedTimestampError(SignatureError):
    """``X-Front-Request-Timestamp`` is not a decimal Unix time."""


def sign_sha1_body(body: bytes, secret: str) -> str:
    """Front's custom-channel signature: ``base64(HMAC-SHA1(secret, body))``.

    >>> sign_sha1_body(b'{"type":"custom"}', "s3cret")
    'WpUipdp7kb15r+hN5SmDxcciWs4='
    """
    digest = hmac.new(_secret_bytes(secret), body, hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_sha256_timestamp(body: bytes, secret: str, timestamp: str) -> str:
    """Front's application-channel signature: ``base64(HMAC-SHA256(secret, f"{timestamp}:" + body))``.

    ``timestamp`` is the ``X-Front-Request-Timestamp`` header value exactly as sent.

    >>> sign_sha256_timestamp(b'{"type":"custom"}', "s3cret", "1700000000000")
    'kelvtR95TAlOyh9QbUETvMnVHxK53x3NavBsH1xEc90='
    """
    digest = hmac.new(_secret_bytes(secret), timestamp.encode("utf-8") + b":" + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_headers(body: bytes, secret: str, scheme: str, now: float | None = None) -> dict[str, str]:
    """The signature headers Front sends with ``body`` under ``scheme``.

    Header names are lowercase (HTTP names are case-insensitive; lowercase is what HTTP/2 and ASGI use).
    ``Content-Type`` is not included. For ``sha256-timestamp`` the timestamp is Unix time in
    milliseconds; ``now`` is in seconds (default: the current time) and is rounded to the millisecond.

    >>> signature_headers(b"{}", "s3cret", "sha1-body")
    {'x-front-signature': '5+AiUpL5deq31ImZ6lIAIO+RsY0='}
    >>> sorted(signature_headers(b"{}", "s3cret", "sha256-timestamp", now=1.5))
    ['x-front-request-timestamp', 'x-front-signature']
    """
    _check_scheme(scheme)
    if scheme == "sha1-body":
        return {"x-front-signature": sign_sha1_body(body, secret)}
    # Date.now() is whole milliseconds; time_ns avoids float rounding on the default path.
    millis = time.time_ns() // 1_000_000 if now is None else round(now * 1000)
    timestamp = str(millis)
    return {
        "x-front-request-timestamp": timestamp,
        "x-front-signature": sign_sha256_timestamp(body, secret, timestamp),
    }


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    scheme: str = "sha1-body",
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> None:
    """Check a request's signature as a careful integration would; return None or raise.

    ``headers`` are looked up case-insensitively; the signature is compared in constant time. For
    ``sha256-timestamp`` the timestamp must be within ``tolerance`` seconds of ``now`` (seconds, default
    the current time), in the past or the future; the boundary itself is accepted. The timestamp is
    read as milliseconds, as Front sends it, or as seconds when its value is below 1e11 (no millisecond
    value is that small after 1973), so receivers configured either way can be tested.

    Checks run in this order: headers present, timestamp well-formed, signature, timestamp fresh.

    >>> body = b'{"text":"hi"}'
    >>> verify({"X-Front-Signature": sign_sha1_body(body, "k")}, body, "k")
    >>> verify({"x-front-signature": "AAAA"}, body, "k")
    Traceback (most recent call last):
    ...
    emulator.signing.InvalidSignatureError: X-Front-Signature: signature does not match the body
    """
    _check_scheme(scheme)
    lowered = {name.lower(): value for name, value in headers.items()}
    provided = lowered.get("x-front-signature")
    if provided is None:
        raise MissingSignatureError(f"missing {SIGNATURE_HEADER} header")
    provided_bytes = provided.strip().encode("utf-8", "surrogatepass")
    if scheme == "sha1-body":
        expected = sign_sha1_body(body, secret)
        if not hmac.compare_digest(expected.encode("ascii"), provided_bytes):
            raise InvalidSignatureError(f"{SIGNATURE_HEADER}: signature does not match the body")
        return

    raw_timestamp = lowered.get("x-front-request-timestamp")
    if raw_timestamp is None:
        raise MissingSignatureError(
            f"missing {TIMESTAMP_HEADER} header (required by the sha256-timestamp scheme)"
        )
    sent_at = _parse_timestamp(raw_timestamp)
    # Sign the header value exactly as received: it is what the sender signed.
    expected = sign_sha256_timestamp(body, secret, raw_timestamp.strip())
    if not hmac.compare_digest(expected.encode("ascii"), provided_bytes):
        raise InvalidSignatureError(
            f"{SIGNATURE_HEADER}: signature does not match the body "
            f"(signed as '<{TIMESTAMP_HEADER}>:' followed by the body)"
        )
    current = time.time() if now is None else now
    age = current - sent_at
    if abs(age) > tolerance:
        where = f"{age:.3f} s old" if age > 0 else f"{-age:.3f} s in the future"
        raise StaleTimestampError(
            f"{TIMESTAMP_HEADER} {raw_timestamp.strip()} is {where}; tolerance is {tolerance:g} s"
        )


class Freshness(TypedDict, total=False):
    """:func:`verify`'s keyword-only ``tolerance`` and ``now``, for what passes them on."""

    tolerance: float
    now: float | None


def verify_json(
    headers: Mapping[str, str],
    parsed_json: object,
    secret: str,
    scheme: str = "sha1-body",
    **freshness: Unpack[Freshness],
) -> None:
    """Verify the way Node receivers do: ``verify`` the bytes of ``JSON.stringify(parsed_json)``.

    Use it when the framework only hands over the parsed body. Takes :func:`verify`'s keyword-only
    ``tolerance`` and ``now``, and raises what it raises.

    >>> import json
    >>> sent = b'{"created_at":1453770984,"text":"caf\\xc3\\xa9"}'
    >>> headers = signature_headers(sent, "k", "sha1-body")
    >>> verify_json(headers, json.loads(sent), "k")
    """
    verify(headers, stringify_bytes(parsed_json), secret, scheme, **freshness)


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown signing scheme {scheme!r}; known schemes: {', '.join(SCHEMES)}")


def _parse_timestamp(raw: str) -> float:
    text = raw.strip()
    # Only plain decimal digits: int() would also take "+5", "1_000" and non-ASCII digits.
    if not text or not (text.isascii() and text.isdigit()):
        raise MalformedTimestampError(
            f"{TIMESTAMP_HEADER} {_shortened(raw)} is not a Unix time in milliseconds (decimal digits)"
        )
    # int() refuses strings over 4,300 digits (a bare ValueError), and past float's range the value
    # means nothing anyway: leading zeros aside, longer is out of range whatever the digits.
    significant = text.lstrip("0") or "0"
    if len(significant) > _MAX_TIMESTAMP_DIGITS:
        raise MalformedTimestampError(f"{TIMESTAMP_HEADER} {_shortened(raw)} is out of range")
    value = int(significant)
    try:
        seconds = float(value) if value < _SECONDS_LIMIT else value / 1000
    except OverflowError:
        seconds = math.inf
    if not math.isfinite(seconds):
        raise MalformedTimestampError(f"{TIMESTAMP_HEADER} {_shortened(raw)} is out of range")
    return seconds


def _shortened(raw: str) -> str:
    """The header value for an error message, cut if it is longer than any timestamp could be."""
    return repr(raw) if len(raw) <= 40 else f"{raw[:40]!r}… ({len(raw):,} characters)"


def _secret_bytes(secret: str) -> bytes:
    """The key bytes Node's ``crypto.createHmac(alg, secret)`` would use for the string ``secret``."""
    try:
        return secret.encode("utf-8")
    except UnicodeEncodeError:
        # Node encodes its UTF-16 strings: surrogate pairs join, lone surrogates become U+FFFD.
        utf16 = secret.encode("utf-16-le", "surrogatepass")
        return utf16.decode("utf-16-le", "replace").encode("utf-8")
