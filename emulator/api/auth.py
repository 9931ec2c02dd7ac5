"""Bearer tokens and their scopes, as Front checks them."""

from __future__ import annotations

from starlette.requests import Request

from emulator.domain.store import Store
from emulator.domain.workspace import ApiToken
from emulator.wire.errors import FrontError


def authorise(request: Request, scope: str) -> ApiToken:
    header = request.headers.get("authorization")
    if header is None:
        raise FrontError(401, "Missing token: send Authorization: Bearer <API token>")
    kind, _, value = header.partition(" ")
    if kind.lower() != "bearer" or not value.strip():
        raise FrontError(401, "Invalid token: the Authorization header must be 'Bearer <API token>'")
    store: Store = request.app.state.store
    token = store.token(value.strip())
    if token is None:
        raise FrontError(401, "Invalid token")
    if scope not in token.scopes:
        raise FrontError(403, f"Token lacks the required {scope} scope")
    return token
