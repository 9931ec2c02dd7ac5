"""The Channel API's authentication: `Authorization: Bearer <JWT>`, HS256 signed with the App secret.

Claims as Front's partner-channel template signs them: `iss` = App UID, `sub` = the channel id, `jti`,
`exp`. Every refusal is a 401 naming its cause. Time is the store's clock (a frozen clock freezes expiry
too), with LEEWAY_SECONDS of grace for clocks a little apart. A `jti` may be used again: Front documents
no replay check, and apps that reuse a token within its few seconds must not break here (docs/fidelity.md).

Since a token may be reused, its verification is kept: decoding and checking the signature (PyJWT, the
largest cost of a sync) is done once per token and application. HMAC is deterministic, so the same token
and secret always verify alike; a kept verification counts only while the store's application of that
uid is the very object it verified against (another secret or workspace makes another object), and what
depends on the clock or the path (`exp`, `nbf`, `sub`, the channel) is still checked on every request.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import jwt
import orjson
from jwt.types import Options
from jwt.warnings import InsecureKeyLengthWarning
from starlette.requests import Request

from emulator.api.auth import authorise
from emulator.domain.store import Store
from emulator.domain.workspace import Application, Channel
from emulator.wire.errors import FrontError

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("iss", "sub", "jti", "exp")
LEEWAY_SECONDS = 5
# Times are checked against the store's clock (not the machine's), and claim types with our own messages.
_CHECKED_HERE: Options = {
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_sub": False,
    "verify_jti": False,
}
# Verified tokens kept (each at most _CACHED_TOKEN_CHARS long, so the cache stays near 1 MB): an app sends
# one or a few tokens at a time, and a token it stopped using is pushed out by newer ones.
_CACHED_TOKENS = 1024
_CACHED_TOKEN_CHARS = 1024
_HOW = "a channel JWT (HS256 signed with the App secret; claims iss = App UID, sub = channel id, jti, exp)"


@dataclass(frozen=True, slots=True)
class ChannelGrant:
    """What a verified JWT allows: the Channel API and reads of one application channel."""

    application: Application
    channel: Channel


def _refuse(cause: str) -> FrontError:
    return FrontError(401, f"Invalid channel JWT: {cause}")


def channel_grant(store: Store, authorization: str | None, channel: Channel | None) -> ChannelGrant:
    """The grant of the request's JWT for `channel` (the one in the path), or for the channel its `sub`
    names when the route has none (reading a message or conversation)."""
    if authorization is None:
        raise FrontError(401, f"Missing token: the Channel API takes Authorization: Bearer <{_HOW}>")
    kind, _, value = authorization.partition(" ")
    token = value.strip()
    if kind.lower() != "bearer" or not token:
        raise FrontError(401, f"Invalid token: the Authorization header must be 'Bearer <{_HOW}>'")
    if store.token(token) is not None:
        raise FrontError(401, f"An API token cannot call the Channel API: send {_HOW}")
    application, claims = _verified_token(store, token)
    _check_time(store, claims)
    subject = claims["sub"]
    if channel is None:
        channel = store.channel(subject) if isinstance(subject, str) else None
        if channel is None:
            raise _refuse(f"sub {subject!r} is not a channel of this workspace")
    elif subject != channel.id:
        raise _refuse(f"sub {subject!r} is not the channel in the path, {channel.id}")
    if channel.application != application.uid:
        raise _refuse(f"channel {channel.id} is not a channel of application {application.uid}")
    return ChannelGrant(application, channel)


# Tokens that verified, with the application they verified against: an app reuses its token for many
# requests, and what does not depend on time or the path is then checked once. A token is taken from here
# only while the store's application of that uid is the very object it verified against (another secret,
# a reset to another workspace, make another object).
_grants: dict[str, tuple[Application, Mapping[str, Any]]] = {}


def _verified_token(store: Store, token: str) -> tuple[Application, Mapping[str, Any]]:
    """The application whose secret signed `token`, and its claims; a 401 naming the cause otherwise."""
    granted = _grants.get(token)
    if granted is not None and store.application(granted[0].uid) is granted[0]:
        return granted
    header, unverified = _read_parts(token)
    algorithm = header.get("alg")
    if algorithm != ALGORITHM:
        raise _refuse(f"algorithm {algorithm!r} is not accepted, only {ALGORITHM}")
    missing = [claim for claim in REQUIRED_CLAIMS if claim not in unverified]
    if missing:
        raise _refuse(f"missing claim {', '.join(missing)} (required: {', '.join(REQUIRED_CLAIMS)})")
    issuer = unverified["iss"]
    application = store.application(issuer) if isinstance(issuer, str) else None
    if application is None:
        raise _refuse(f"unknown issuer {issuer!r}: iss must be the App UID of an application")
    try:
        claims = _verify(token, application.secret)
    except jwt.InvalidSignatureError:
        raise _refuse(f"bad signature: not signed with the App secret of application {issuer}") from None
    except jwt.PyJWTError as error:
        raise _refuse(str(error)) from None
    if len(token) <= _CACHED_TOKEN_CHARS:
        if len(_grants) >= _CACHED_TOKENS:
            del _grants[next(iter(_grants))]
        _grants[token] = (application, claims)
    return application, claims


def _verify(token: str, secret: str) -> Mapping[str, Any]:
    with warnings.catch_warnings():
        # The App secret is the workspace's to choose: a short one is the app's risk, not an error.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options=_CHECKED_HERE)
    # Read-only: the same mapping answers every later request with this token.
    return MappingProxyType(claims)


def _read_parts(token: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """Header and claims, read before verifying (to find the issuer's secret). Read here rather than with
    PyJWT's unverified decodes, which check every character of the token: PyJWT's one verified decode
    checks the whole token again anyway."""
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        header = orjson.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        claims = orjson.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise ValueError("not JSON objects")
    except (ValueError, binascii.Error):  # orjson.JSONDecodeError is a ValueError
        raise FrontError(401, f"Invalid token: not a JWT; the Channel API takes {_HOW}") from None
    return MappingProxyType(header), MappingProxyType(claims)


def _check_time(store: Store, claims: Mapping[str, Any]) -> None:
    now = store.clock.now()
    expires = claims["exp"]
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise _refuse("exp must be a number (seconds since the epoch)")
    if expires + LEEWAY_SECONDS < now:
        raise _refuse(f"expired: exp {expires:.0f} is more than {LEEWAY_SECONDS} s before now ({now:.0f})")
    not_before = claims.get("nbf")
    if isinstance(not_before, int | float) and not_before - LEEWAY_SECONDS > now:
        raise _refuse(f"not valid yet: nbf {not_before:.0f} is after now ({now:.0f})")
    if not isinstance(claims["jti"], str) or not claims["jti"]:
        raise _refuse("jti must be a non-empty string")


def is_channel_jwt(request: Request) -> bool:
    """Whether the request's bearer looks like a JWT (three dot-separated parts) rather than an API token."""
    header = request.headers.get("authorization")
    value = header.partition(" ")[2].strip() if header else ""
    return value.count(".") == 2 and request.app.state.store.token(value) is None


def reader_grant(request: Request, scope: str) -> ChannelGrant | None:
    """Reading routes take an API token with `scope` (None) or a channel JWT, which reads the messages
    and conversations of its own channel only (see `check_grant`)."""
    store: Store = request.app.state.store
    if is_channel_jwt(request):
        return channel_grant(store, request.headers.get("authorization"), None)
    authorise(request, scope)
    return None


def check_grant(grant: ChannelGrant | None, channel_id: str, what: str) -> None:
    if grant is not None and grant.channel.id != channel_id:
        raise FrontError(
            403, f"This channel JWT reads only channel {grant.channel.id}'s resources; {what} is not one"
        )
