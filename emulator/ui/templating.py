"""The inspector's Jinja environment, configured once, and the one way its pages are rendered."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from emulator.ui.live import live_events
from emulator.wire.paths import INSPECTOR_PREFIX

PREFIX = INSPECTOR_PREFIX
_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
DELIVERY_STATUS_LABELS = {
    "pending": "Pending",
    "sending": "Sending…",
    "sent": "Sent",
    "cancelled": "Cancelled",
    "failed": "Failed to send",
}
# Short confirmations shown after a POST-redirect-GET; the query carries only the key, never the text.
NOTICES = {
    "queued": "Message queued: it leaves when the channel's undo window is over.",
    "cancelled": "Message cancelled: it will not be sent.",
    "redelivered": "Redelivered: this is the new attempt.",
    "faults_cleared": "Faults cleared: Front's API answers normally again.",
}


def _static_version() -> str:
    """Changes whenever a static file does, so browsers never run a stale script against new pages."""
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(STATIC_DIR.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    scaled = size / 1024
    if scaled < 1024:
        return f"{scaled:.1f} KB"
    return f"{scaled / 1024:.1f} MB"


def _pretty_json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def _pretty_body(text: str | None) -> str | None:
    """A JSON body indented for reading; None when it is not JSON (the raw text is shown anyway)."""
    if not text:
        return None
    try:
        return _pretty_json(orjson.loads(text))
    except orjson.JSONDecodeError:
        return None


def _signed_string(signature_input: dict[str, Any], body: str) -> str:
    """The exact string a signature was computed over: the body (sha1-body), or `"<timestamp>:" + body`;
    `"<timestamp>:undefined"` for a DELETE signed as Front's security doc says (the journals' description
    of what was signed names that case)."""
    if signature_input.get("scheme") == "sha1-body":
        return body
    signed_over = "undefined" if ":undefined" in str(signature_input.get("signed", "")) else body
    return f"{signature_input.get('timestamp')}:{signed_over}"


def _query(**params: str) -> str:
    return urlencode({key: value for key, value in params.items() if value})


def inspector_templates() -> Jinja2Templates:
    """The inspector's Jinja environment; create_app builds it once (app.state.ui_templates)."""
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    templates.env.filters.update(when=_when, iso=_iso, size=_size, pretty_json=_pretty_json)
    templates.env.globals.update(
        prefix=PREFIX,
        static_version=_static_version(),
        status_labels=DELIVERY_STATUS_LABELS,
        pretty_body=_pretty_body,
        signed_string=_signed_string,
        query=_query,
    )
    return templates


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    page = {
        # Pages carry the number of the last change they show: the event stream starts from there.
        "live_sequence": live_events(request.app).sequence,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "live_scope": {},
        **context,
    }
    templates: Jinja2Templates = request.app.state.ui_templates
    response = templates.TemplateResponse(request, name, page, status_code=status_code)
    # Live updates re-fetch pages; a cached copy would show an old state.
    response.headers["cache-control"] = "no-store"
    return response
