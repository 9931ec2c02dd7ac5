"""The inspector's pages: each gathers what it shows from the store and renders one template.

What a teammate may do on a page (reply, start a new message) is asked of the domain, the same
predicates Front's API routes obey, so a page never offers a form that can only be refused.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from emulator.domain.app_events import applications_of_channels
from emulator.domain.deliveries import Delivery
from emulator.domain.inbox import STATUS_FILTERS, query_matches, status_matches, teammate_name
from emulator.domain.inboxes import inbox_of_channel
from emulator.domain.messages import Conversation, Message
from emulator.domain.sending import can_compose, can_reply
from emulator.domain.store import Store
from emulator.ui.app_pages import applications_overview
from emulator.ui.around_pages import conversation_rows, events_timeline
from emulator.ui.call_pages import channel_reports
from emulator.ui.error_pages import page
from emulator.ui.state import journal_of, store_of
from emulator.ui.templating import PREFIX, render
from emulator.wire.errors import FrontError
from emulator.wire.lookups import channel_or_404, conversation_or_404, delivery_or_404, message_or_404
from emulator.wire.responses import attachment_response

# Pages list at most this many rows; the rest is reachable by filtering.
MAX_ROWS = 200
STATUS_FILTER_LABELS = {
    "": "Any status",
    "open": "Open (unassigned or assigned)",
    "unassigned": "Unassigned",
    "assigned": "Assigned",
    "archived": "Archived",
    "deleted": "Deleted",
}
assert set(STATUS_FILTER_LABELS) == {"", *STATUS_FILTERS}, "one label per filter the domain knows"
OUTCOME_FILTERS = {"": "Any outcome", "sent": "Sent", "failed": "Failed"}
_DELIVERY_FILTERS = ("channel_id", "conversation_id", "message_id", "outcome")


def _all_messages(store: Store, conversation: Conversation) -> list[Message]:
    """The conversation's messages, oldest first."""
    newest_first_page, _ = store.conversation_messages(conversation, 1 << 62, None)
    return newest_first_page[::-1]


def refused_requests(request: Request) -> list[dict[str, Any]] | None:
    """Refused inbound requests, oldest first, from the control plane's request journal (None without one)."""
    journal = journal_of(request)
    if journal is None:
        return None
    return [
        entry.as_document()
        for entry in journal.select(method="POST", rejected=True)
        if entry.path.endswith("/incoming_messages")
    ]


def _teammate_choices(store: Store) -> list[tuple[str, str]]:
    return [
        (teammate.id, f"{teammate_name(teammate)} ({teammate.email})")
        for teammate in store.workspace.teammates
    ]


async def root(request: Request) -> Response:
    return RedirectResponse(PREFIX, status_code=307)


@page
async def workspace_page(request: Request) -> Response:
    store = store_of(request)
    channels = store.workspace.channels
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
        "refused": len(refused_requests(request) or ()),
    }
    context = {
        "workspace": store.workspace,
        "channels": channels,
        "teammates": [(teammate, teammate_name(teammate)) for teammate in store.workspace.teammates],
        "applications": applications_overview(store),
        "inbox_of": {channel.id: inbox_of_channel(store.workspace, channel.id) for channel in channels},
        "counts": counts,
        "per_channel": per_channel,
        "failed_per_channel": failed_per_channel,
    }
    return render(request, "workspace.html", context)


@page
async def channel_page(request: Request) -> Response:
    store = store_of(request)
    channel = channel_or_404(store, request.path_params["channel_id"])
    query = request.query_params.get("q", "").strip()
    status = request.query_params.get("status", "")
    if status not in STATUS_FILTER_LABELS:
        raise FrontError(400, "Unknown status filter", [f"status: one of {', '.join(STATUS_FILTERS)}"])
    of_channel = [item for item in store.conversations() if item.channel_id == channel.id]
    every = conversation_rows(store, of_channel)
    rows = [
        row
        for row in every
        if status_matches(status, row["conversation"].status)
        and query_matches(query, row["conversation"], row["shown"], row["assignee"])
    ]
    context = {
        "channel": channel,
        "inbox": inbox_of_channel(store.workspace, channel.id),
        "application": store.application(channel.application) if channel.application else None,
        "rows": rows[:MAX_ROWS],
        "shown_all": len(rows) <= MAX_ROWS,
        "matching": len(rows),
        "total": len(every),
        "query": query,
        "status": status,
        "status_filters": STATUS_FILTER_LABELS,
        "teammates": _teammate_choices(store),
        "cannot_compose": can_compose(channel),
        "live_scope": {"channel": channel.id},
        "form": {},
        **channel_reports(store, channel),
    }
    return render(request, "channel.html", context)


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
        "shown": store.calls.shown(message),
        "call": store.calls.of_message(message.id),
    }


@page
async def conversation_page(request: Request) -> Response:
    store = store_of(request)
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
        "timeline": events_timeline(store, conversation),
        "inbox": inbox_of_channel(store.workspace, conversation.channel_id),
        "cannot_reply": can_reply(channel),
        "live_scope": {"conversation": conversation.id},
    }
    return render(request, "conversation.html", context)


@page
async def deliveries_page(request: Request) -> Response:
    store = store_of(request)
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
        "channel_options": [(channel.id, channel.name) for channel in store.workspace.channels],
        "live_scope": {"kinds": "delivery_recorded reset"},
    }
    return render(request, "deliveries.html", context)


@page
async def delivery_page(request: Request) -> Response:
    store = store_of(request)
    delivery = delivery_or_404(store, request.path_params["delivery_id"])
    message = store.message(delivery.message_id)
    later = [
        item for item in store.deliveries if item.message_id == delivery.message_id and item.id != delivery.id
    ]
    context = {
        "delivery": delivery,
        "message": message,
        "others": later,
        "secret_name": _secret_name(store, delivery),
        "live_scope": {"message": delivery.message_id},
    }
    return render(request, "delivery.html", context)


def _secret_name(store: Store, delivery: Delivery) -> str:
    """Which secret signed a delivery: an app's for a `message` event, else the company API secret."""
    owners = applications_of_channels(store.app_events, store.workspace.channels)
    return "app_secret" if delivery.channel_id in owners else "api_secret"


@page
async def refused_page(request: Request) -> Response:
    refused = refused_requests(request)
    context = {
        "refused": None if refused is None else refused[::-1][:MAX_ROWS],
        "matching": len(refused or ()),
        "live_scope": {"kinds": "request_refused reset"},
    }
    return render(request, "refused.html", context)


async def rejected_page(request: Request) -> Response:
    """The page's old address (before "refused" was the one name for a 4xx answer)."""
    return RedirectResponse(PREFIX + "/refused", status_code=308)


@page
async def not_found(request: Request) -> Response:
    raise FrontError(404, f"The inspector has no page at {request.url.path}")


@page
async def download(request: Request) -> Response:
    """Attachments without an API token: the browser cannot send one, and the inspector is local."""
    message = message_or_404(store_of(request), request.path_params["message_id"])
    # A call's recordings are its message's attachments, as Front's download route serves them.
    attachment = store_of(request).calls.shown(message).attachment(request.path_params["attachment_id"])
    if attachment is None:
        raise FrontError(404, f"Attachment not found on message {message.id}")
    return attachment_response(attachment)
