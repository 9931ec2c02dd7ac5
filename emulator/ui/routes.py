"""The inspector: server-rendered pages under /_emulator/ui, and forms that act as a teammate.

Every page renders its whole content without JavaScript; forms POST to /_emulator/ui/… and redirect back
(POST-redirect-GET). Sending goes through emulator.api.sending, the code behind Front's own API routes,
so what the composer accepts or refuses is exactly what the API would. static/inspector.js only adds live
updates (see live.py) and the undo countdown.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from emulator.api.errors import TITLES, FrontError
from emulator.api.lookups import channel_or_404, conversation_or_404, delivery_or_404, message_or_404

# The API's RFC 6266 Content-Disposition, so downloads are named the same way everywhere.
from emulator.api.reading import _disposition
from emulator.api.sending import cancel_pending, redeliver_finished, send_new_message, send_reply
from emulator.domain.deliveries import Delivery
from emulator.domain.messages import AttachmentUpload, Conversation, Message
from emulator.domain.store import Store
from emulator.domain.workspace import Teammate
from emulator.schemas import validator
from emulator.ui.live import event_stream, live_events

PREFIX = "/_emulator/ui"
_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
TEMPLATES = Jinja2Templates(directory=str(_HERE / "templates"))
# Pages list at most this many rows; the rest is reachable by filtering.
MAX_ROWS = 200
STATUS_FILTERS = {
    "": "Any status",
    "open": "Open (unassigned or assigned)",
    "unassigned": "Unassigned",
    "assigned": "Assigned",
    "archived": "Archived",
    "deleted": "Deleted",
}
OUTCOME_FILTERS = {"": "Any outcome", "sent": "Sent", "failed": "Failed"}
STATE_LABELS = {
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
}

Endpoint = Callable[[Request], Awaitable[Response]]


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
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} bytes"


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


TEMPLATES.env.filters.update(when=_when, iso=_iso, size=_size, pretty_json=_pretty_json)
TEMPLATES.env.globals.update(
    prefix=PREFIX, static_version=_static_version(), state_labels=STATE_LABELS, pretty_body=_pretty_body
)


def teammate_name(teammate: Teammate | None) -> str:
    if teammate is None:
        return ""
    return f"{teammate.first_name} {teammate.last_name}".strip() or teammate.email


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    page = {
        # Pages carry the number of the last change they show: the event stream starts from there.
        "live_sequence": live_events(request.app).sequence,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "live_scope": {},
        **context,
    }
    response = TEMPLATES.TemplateResponse(request, name, page, status_code=status_code)
    # Live updates re-fetch pages; a cached copy would show an old state.
    response.headers["cache-control"] = "no-store"
    return response


def _error_page(request: Request, error: FrontError) -> Response:
    context = {
        "status": error.status,
        "title": TITLES.get(error.status, "Error"),
        "message": error.message,
        "details": error.details or [],
        "back": _same_origin_referer(request),
    }
    return _render(request, "error.html", context, status_code=error.status)


def _same_origin_referer(request: Request) -> str | None:
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc != request.headers.get("host") or not parts.path.startswith(PREFIX):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page(endpoint: Endpoint) -> Endpoint:
    """FrontErrors (and Starlette's form-parsing errors) become an HTML error page with the same status."""

    @functools.wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        try:
            if request.method == "POST":
                _check_origin(request)
            return await endpoint(request)
        except FrontError as error:
            return _error_page(request, error)
        except HTTPException as error:
            return _error_page(request, FrontError(error.status_code, str(error.detail)))

    return wrapped


def _check_origin(request: Request) -> None:
    """Another web site open in the same browser must not be able to send messages through the inspector."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise FrontError(
            403, f"Forms of the inspector are accepted from its own pages only, not from {origin}"
        )


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _all_messages(store: Store, conversation: Conversation) -> list[Message]:
    """The conversation's messages, oldest first."""
    newest_first, _ = store.conversation_messages(conversation, 1 << 62, None)
    return newest_first[::-1]


def _rejected(request: Request) -> list[dict[str, Any]] | None:
    """Refused inbound requests, oldest first, from the control plane's request journal (None without one)."""
    journal = getattr(request.app.state, "journal", None)
    if journal is None:
        return None
    return [
        entry.as_document()
        for entry in journal.select(method="POST", rejected=True)
        if entry.path.endswith("/incoming_messages")
    ]


# -- pages -----------------------------------------------------------------------------------------


async def root(request: Request) -> Response:
    return RedirectResponse(PREFIX, status_code=307)


@page
async def workspace_page(request: Request) -> Response:
    store = _store(request)
    conversations = store.conversations()
    per_channel = Counter(conversation.channel_id for conversation in conversations)
    failed_per_channel = Counter(
        delivery.channel_id for delivery in store.deliveries if delivery.outcome == "failed"
    )
    counts = {
        "conversations": len(conversations),
        "messages": store.message_count,
        "deliveries": len(store.deliveries),
        "failed_deliveries": failed_per_channel.total(),
        "rejected": len(_rejected(request) or ()),
    }
    context = {
        "workspace": store.workspace,
        "channels": store.workspace.channels,
        "teammates": [(teammate, teammate_name(teammate)) for teammate in store.workspace.teammates],
        "counts": counts,
        "per_channel": per_channel,
        "failed_per_channel": failed_per_channel,
    }
    return _render(request, "workspace.html", context)


def _matches(query: str, conversation: Conversation, last: Message | None, assignee: str) -> bool:
    if not query:
        return True
    contact = conversation.contact
    haystack = " ".join(
        filter(
            None,
            (
                contact.handle,
                contact.name,
                conversation.subject,
                conversation.id,
                assignee,
                last.text if last else None,
            ),
        )
    ).casefold()
    return query.casefold() in haystack


def _status_matches(wanted: str, status: str) -> bool:
    if not wanted:
        return True
    if wanted == "open":
        return status in ("unassigned", "assigned")
    return status == wanted


@page
async def channel_page(request: Request) -> Response:
    store = _store(request)
    channel = channel_or_404(store, request.path_params["channel_id"])
    query = request.query_params.get("q", "").strip()
    status = request.query_params.get("status", "")
    if status not in STATUS_FILTERS:
        raise FrontError(
            400, "Unknown status filter", [f"status: one of {', '.join(filter(None, STATUS_FILTERS))}"]
        )
    rows = []
    total = 0
    ordered = [item for item in store.conversations() if item.channel_id == channel.id]
    # Newest first: most recently updated, and the later-created first among equals.
    ordered.sort(key=lambda item: item.updated_at, reverse=True)
    for conversation in ordered:
        total += 1
        last = store.last_message(conversation)
        assignee = teammate_name(store.teammate(conversation.assignee_id)) if conversation.assignee_id else ""
        if not _status_matches(status, conversation.status) or not _matches(
            query, conversation, last, assignee
        ):
            continue
        rows.append({"conversation": conversation, "last": last, "assignee": assignee})
    context = {
        "channel": channel,
        "rows": rows[:MAX_ROWS],
        "shown_all": len(rows) <= MAX_ROWS,
        "matching": len(rows),
        "total": total,
        "query": query,
        "status": status,
        "status_filters": STATUS_FILTERS,
        "teammates": _teammate_choices(store),
        "live_scope": {"channel": channel.id},
        "form": {},
    }
    return _render(request, "channel.html", context)


def _teammate_choices(store: Store) -> list[tuple[str, str]]:
    return [
        (teammate.id, f"{teammate_name(teammate)} ({teammate.email})")
        for teammate in store.workspace.teammates
    ]


def _message_view(store: Store, message: Message, deliveries: list[Delivery]) -> dict[str, Any]:
    sender = next((r for r in message.recipients if r.role == "from"), None)
    to = [r for r in message.recipients if r.role != "from"]
    remaining = None
    if message.delivery_status == "pending" and message.send_at is not None:
        remaining = max(0.0, message.send_at - store.clock.now())
    return {
        "message": message,
        "direction": "inbound" if message.is_inbound else "outbound",
        "sender": sender,
        "to": to,
        "author": teammate_name(store.teammate(message.author_id)) if message.author_id else "",
        "remaining": remaining,
        "deliveries": deliveries,
    }


@page
async def conversation_page(request: Request) -> Response:
    store = _store(request)
    conversation = conversation_or_404(store, request.path_params["conversation_id"])
    channel = channel_or_404(store, conversation.channel_id)
    by_message: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in store.deliveries:
        if delivery.conversation_id == conversation.id:
            by_message[delivery.message_id].append(delivery)
    messages = [
        _message_view(store, message, by_message[message.id])
        for message in _all_messages(store, conversation)
    ]
    assignee = store.teammate(conversation.assignee_id) if conversation.assignee_id else None
    context = {
        "conversation": conversation,
        "channel": channel,
        "messages": messages,
        "assignee": teammate_name(assignee),
        # ThreadKey: ("thread_ref", ref), ("sender", handle), or ("outbound", …) for a teammate's new message.
        "thread": conversation.thread_key[0],
        "thread_ref": conversation.thread_key[1] if conversation.thread_key[0] == "thread_ref" else None,
        "teammates": _teammate_choices(store),
        "live_scope": {"conversation": conversation.id},
    }
    return _render(request, "conversation.html", context)


_DELIVERY_FILTERS = ("channel_id", "conversation_id", "message_id", "outcome")


@page
async def deliveries_page(request: Request) -> Response:
    store = _store(request)
    wanted = {key: request.query_params[key] for key in _DELIVERY_FILTERS if request.query_params.get(key)}
    found = [
        delivery
        for delivery in reversed(store.deliveries)
        if all(getattr(delivery, key) == value for key, value in wanted.items())
    ]
    context = {
        "deliveries": found[:MAX_ROWS],
        "matching": len(found),
        "filters": wanted,
        "outcome_filters": OUTCOME_FILTERS,
        "channels": store.workspace.channels,
        "live_scope": {"kinds": "delivery_recorded reset"},
    }
    return _render(request, "deliveries.html", context)


@page
async def delivery_page(request: Request) -> Response:
    store = _store(request)
    delivery = delivery_or_404(store, request.path_params["delivery_id"])
    message = store.message(delivery.message_id)
    later = [
        item for item in store.deliveries if item.message_id == delivery.message_id and item.id != delivery.id
    ]
    context = {
        "delivery": delivery,
        "message": message,
        "others": later,
        "signature": delivery.request_headers.get("x-front-signature"),
        "timestamp": delivery.request_headers.get("x-front-request-timestamp"),
        "live_scope": {"message": delivery.message_id},
    }
    return _render(request, "delivery.html", context)


@page
async def rejected_page(request: Request) -> Response:
    rejected = _rejected(request)
    context = {
        "rejected": None if rejected is None else rejected[::-1][:MAX_ROWS],
        "matching": len(rejected or ()),
        "live_scope": {"kinds": "request_rejected reset"},
    }
    return _render(request, "rejected.html", context)


@page
async def not_found(request: Request) -> Response:
    raise FrontError(404, f"The inspector has no page at {request.url.path}")


async def download(request: Request) -> Response:
    """Attachments without an API token: the browser cannot send one, and the inspector is local."""
    store = _store(request)
    try:
        message = message_or_404(store, request.path_params["message_id"])
    except FrontError as error:
        return _error_page(request, error)
    attachment = message.attachment(request.path_params["attachment_id"])
    if attachment is None:
        return _error_page(request, FrontError(404, f"Attachment not found on message {message.id}"))
    return Response(
        attachment.data,
        headers={
            "content-type": attachment.content_type,
            "content-disposition": _disposition(attachment.filename),
        },
    )


# -- forms -------------------------------------------------------------------------------------------


def _html_body(text: str) -> str:
    """What Front's composer sends for typed text: escaped paragraphs, line breaks kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [part.strip("\n") for part in re.split(r"\n[ \t]*\n", text) if part.strip()]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)


async def _uploads(request: Request, form: FormData) -> list[AttachmentUpload]:
    limit = request.app.state.config.max_attachments_bytes
    uploads = []
    total = 0
    for value in form.getlist("attachments"):
        # A file input left empty still submits a part, without a file name.
        if not isinstance(value, UploadFile) or not value.filename:
            continue
        data = await value.read()
        total += len(data)
        if total > limit:
            raise FrontError(
                413, f"Attachments are larger than the {limit // (1024 * 1024)} MB Front accepts"
            )
        uploads.append(
            AttachmentUpload(value.filename, value.content_type or "application/octet-stream", data)
        )
    return uploads


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _checked(document: dict[str, Any], schema_name: str) -> dict[str, Any]:
    schema = validator(schema_name)
    if not schema.is_valid(document):
        raise FrontError(400, "Invalid request body", schema.details(document))
    return document


def _queued(request: Request, message: Message) -> Response:
    request.app.state.engine.wake()
    return RedirectResponse(
        f"{PREFIX}/conversations/{message.conversation_id}?notice=queued#{message.id}", status_code=303
    )


@page
async def reply(request: Request) -> Response:
    store = _store(request)
    conversation = conversation_or_404(store, request.path_params["conversation_id"])
    async with request.form(max_files=50) as form:
        document = _checked(
            {
                "author_id": _text(form, "author_id") or None,
                "body": _html_body(_text(form, "body")),
                "options": {"archive": _text(form, "archive") == "on"},
            },
            "outbound-reply",
        )
        uploads = await _uploads(request, form)
    return _queued(request, send_reply(store, conversation, document, uploads))


@page
async def compose(request: Request) -> Response:
    store = _store(request)
    channel = channel_or_404(store, request.path_params["channel_id"])
    async with request.form(max_files=50) as form:
        recipients = [handle.strip() for handle in re.split(r"[,\n]", _text(form, "to")) if handle.strip()]
        document: dict[str, Any] = {
            "to": recipients,
            "author_id": _text(form, "author_id") or None,
            "body": _html_body(_text(form, "body")),
            "options": {"archive": _text(form, "archive") == "on"},
        }
        if _text(form, "subject").strip():
            document["subject"] = _text(form, "subject").strip()
        _checked(document, "outbound-message")
        uploads = await _uploads(request, form)
    return _queued(request, send_new_message(store, channel, document, uploads))


@page
async def cancel(request: Request) -> Response:
    store = _store(request)
    message = message_or_404(store, request.path_params["message_id"])
    cancel_pending(request, message)
    return RedirectResponse(
        f"{PREFIX}/conversations/{message.conversation_id}?notice=cancelled#{message.id}", status_code=303
    )


@page
async def redeliver(request: Request) -> Response:
    store = _store(request)
    delivery = delivery_or_404(store, request.path_params["delivery_id"])
    # The engine's own redelivery: freshly signed, journalled, and the message ends sent or failed.
    new_delivery = await redeliver_finished(request, delivery)
    return RedirectResponse(f"{PREFIX}/deliveries/{new_delivery.id}?notice=redelivered", status_code=303)


def _query(**params: str) -> str:
    return urlencode({key: value for key, value in params.items() if value})


TEMPLATES.env.globals.update(query=_query)

routes: list[BaseRoute] = [
    Route("/", root, methods=["GET"]),
    Route(PREFIX, workspace_page, methods=["GET"]),
    Route(PREFIX + "/", workspace_page, methods=["GET"]),
    Route(PREFIX + "/events", event_stream, methods=["GET"]),
    Route(PREFIX + "/channels/{channel_id}", channel_page, methods=["GET"]),
    Route(PREFIX + "/channels/{channel_id}/messages", compose, methods=["POST"]),
    Route(PREFIX + "/conversations/{conversation_id}", conversation_page, methods=["GET"]),
    Route(PREFIX + "/conversations/{conversation_id}/reply", reply, methods=["POST"]),
    Route(PREFIX + "/messages/{message_id}/cancel", cancel, methods=["POST"]),
    Route(PREFIX + "/messages/{message_id}/attachments/{attachment_id}", download, methods=["GET"]),
    Route(PREFIX + "/deliveries", deliveries_page, methods=["GET"]),
    Route(PREFIX + "/deliveries/{delivery_id}", delivery_page, methods=["GET"]),
    Route(PREFIX + "/deliveries/{delivery_id}/redeliver", redeliver, methods=["POST"]),
    Route(PREFIX + "/rejected", rejected_page, methods=["GET"]),
    Mount(PREFIX + "/static", StaticFiles(directory=str(STATIC_DIR)), name="inspector-static"),
    Route(PREFIX + "/{rest:path}", not_found, methods=["GET", "POST"]),
]
