"""The inspector's pages for application channels: each app with its channels and how it answered their
authorization, and the events sent to apps (emulator/domain/app_events.py) with their signature input.

A teammate's `message` event to an app is a delivery (the delivery engine sends it, retries and
journals it), so the event list shows the event journal and those deliveries together, each linking to
its own page.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.app_events import AppEvent, applications_of_channels, find_app_event
from emulator.domain.applications import application_or_refusal
from emulator.domain.deliveries import Delivery
from emulator.domain.store import Store
from emulator.domain.workspace import Application, Channel
from emulator.ui.error_pages import page
from emulator.ui.state import store_of
from emulator.ui.templating import PREFIX, render
from emulator.wire.errors import FrontError

# Pages list at most this many rows; the rest is reachable by filtering.
MAX_EVENT_ROWS = 200
# How much of an app's answer a page quotes in a list; the event's page shows all that was kept.
QUOTED_ANSWER_CHARS = 300
_EVENT_FILTERS = ("application_uid", "channel_id", "type")
# Every event type Front sends to an app (`message` ones are deliveries).
EVENT_TYPES = ("authorization", "delete", "message", "message_imported", "message_autoreply")
APP_EVENT_KINDS = "app_event_recorded delivery_recorded application_changed channel_changed reset"


def applications_overview(store: Store) -> list[dict[str, Any]]:
    """Each app with its channels, for the workspace page."""
    return [
        {"application": application, "channels": _channels_of(store, application)}
        for application in store.workspace.applications
    ]


def _channels_of(store: Store, application: Application) -> list[Channel]:
    return [channel for channel in store.workspace.channels if channel.application == application.uid]


def _event_row(event: AppEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "href": f"{PREFIX}/app_events/{event.id}",
        "type": event.type,
        "application_uid": event.application_uid,
        "channel_id": event.channel_id,
        "message_id": event.message_id,
        "outcome": event.outcome,
        "answer_status": event.answer_status,
        "reason": event.reason,
        "started_at": event.started_at,
    }


def _delivery_row(delivery: Delivery, application_uid: str) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "href": f"{PREFIX}/deliveries/{delivery.id}",
        "type": "message",
        "application_uid": application_uid,
        "channel_id": delivery.channel_id,
        "message_id": delivery.message_id,
        # A delivery's "sent" is an event the app accepted.
        "outcome": "accepted" if delivery.outcome == "sent" else "failed",
        "answer_status": delivery.answer_status,
        "reason": delivery.reason,
        "started_at": delivery.started_at,
    }


def events_sent_to_apps(store: Store) -> list[dict[str, Any]]:
    """Every event sent to an app, journalled events and `message` deliveries alike, newest first."""
    owners = applications_of_channels(store.app_events, store.workspace.channels)
    rows = [_event_row(event) for event in store.app_events]
    rows += [
        _delivery_row(delivery, owners[delivery.channel_id])
        for delivery in store.deliveries
        if delivery.channel_id in owners
    ]
    # Stable: rows started at the same moment keep journal order.
    rows.sort(key=lambda row: row["started_at"], reverse=True)
    return rows


def _authorizations(store: Store, application: Application) -> list[dict[str, Any]]:
    """The app's answers to `authorization`, newest first: how each channel it was asked to take went."""
    return [
        {"event": event, "quoted": (event.answer_body or "")[:QUOTED_ANSWER_CHARS]}
        for event in reversed(store.app_events)
        if event.application_uid == application.uid and event.type == "authorization"
    ]


@page
async def application_page(request: Request) -> Response:
    store = store_of(request)
    application = application_or_refusal(store, request.path_params["uid"])
    authorizations = _authorizations(store, application)
    by_channel: dict[str, dict[str, Any]] = {}
    for authorization in reversed(authorizations):
        channel_id = authorization["event"].channel_id
        if channel_id:
            by_channel[channel_id] = authorization
    context = {
        "application": application,
        "channels": _channels_of(store, application),
        "authorization_of": by_channel,
        "authorizations": authorizations,
        "live_scope": {"kinds": APP_EVENT_KINDS},
    }
    return render(request, "application.html", context)


@page
async def app_events_page(request: Request) -> Response:
    store = store_of(request)
    wanted = {key: request.query_params[key] for key in _EVENT_FILTERS if request.query_params.get(key)}
    if "application_uid" in wanted:
        application_or_refusal(store, wanted["application_uid"])
    found = [
        row for row in events_sent_to_apps(store) if all(row[key] == value for key, value in wanted.items())
    ]
    context = {
        "rows": found[:MAX_EVENT_ROWS],
        "matching": len(found),
        "filters": wanted,
        "application_options": [(item.uid, item.name) for item in store.workspace.applications],
        "type_options": [(kind, kind) for kind in EVENT_TYPES],
        "live_scope": {"kinds": APP_EVENT_KINDS},
    }
    return render(request, "app_events.html", context)


@page
async def app_event_page(request: Request) -> Response:
    store = store_of(request)
    event_id = request.path_params["event_id"]
    event = find_app_event(store.app_events, event_id)
    if event is None:
        raise FrontError(404, f"App event {event_id} not found")
    channel = store.channel(event.channel_id) if event.channel_id else None
    message = store.message(event.message_id) if event.message_id else None
    context = {
        "event": event,
        "application": store.application(event.application_uid),
        "channel": channel,
        "message": message,
        # A journalled event never changes: only a reset (which empties the journal) concerns the page.
        "live_scope": {"kinds": "reset"},
    }
    return render(request, "app_event.html", context)
