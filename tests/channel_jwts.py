"""Channel JWTs for tests, signed as Front's partner-channel template signs them."""

from __future__ import annotations

import time
from typing import Any

import jwt

APP_CHANNEL = "cha_1a04"
APP_UID = "app1a05"
APP_SECRET = "front-emulator-application-secret"


def channel_claims(channel_id: str = APP_CHANNEL, **changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": APP_UID, "sub": channel_id, "jti": "jti-1", "exp": int(time.time()) + 10}
    claims.update(changes)
    return claims


def channel_jwt(channel_id: str = APP_CHANNEL, secret: str = APP_SECRET, **changes: Any) -> str:
    return jwt.encode(channel_claims(channel_id, **changes), secret, algorithm="HS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
