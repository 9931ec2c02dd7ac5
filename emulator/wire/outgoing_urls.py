"""Whether the delivery engine could send to an Outgoing URL, judged by the HTTP client that sends."""

from __future__ import annotations

import httpx

from emulator.wire.errors import FrontError

_MAX_PORT = 65535


def outgoing_url_problem(url: str) -> str | None:
    """Why `url` cannot be a channel's Outgoing URL (for a `details` line), or None when it can."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        return f"not a URL the emulator can send to: {error}"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "not a URL the emulator can send to: it needs http:// or https:// and a host"
    if parsed.port is not None and parsed.port > _MAX_PORT:
        return f"not a URL the emulator can send to: port {parsed.port} is above {_MAX_PORT}"
    return None


def check_settings_urls(settings: dict[str, object]) -> None:
    """Front's 400 for channel settings whose webhook_url the engine could not send to."""
    url = settings.get("webhook_url")
    problem = outgoing_url_problem(url) if isinstance(url, str) else None
    if problem:
        raise FrontError(400, "Invalid request body", [f"/settings/webhook_url: {problem}"])
