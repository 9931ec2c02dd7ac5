"""Control plane for application channels: the Front apps of the workspace, what an admin does with their
channels (add one: the app authorizes it; delete one: the app is told), and the event journal.

Events go out through the app-event sender on app.state (emulator/outbound/app_events.py): doors reach the
delivery side through the app's state, never by importing it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.domain.applications import (
    add_application,
    application_or_refusal,
    authorized_channel,
    planned_application_channel,
)
from emulator.domain.store import Store
from emulator.wire.app_events import authorization_event, authorization_problem, delete_event
from emulator.wire.documents import json_document, list_filters, schema_choices
from emulator.wire.errors import FrontError
from emulator.wire.lookups import channel_or_404
from emulator.wire.outgoing_urls import outgoing_url_problem
from emulator.wire.responses import base_url, front_json
from emulator.wire.serialise import channel_json

APP_EVENT_FILTERS: dict[str, tuple[str, ...] | None] = {
    "application_uid": None,
    "channel_id": None,
    "type": schema_choices("app-event", "type"),
}
_QUOTED_ANSWER = 300


async def create_application(request: Request) -> Response:
    """A Front app with a channel feature: 201 with its App UID and App secret."""
    document = await json_document(request, "create-application", what="the application")
    problem = outgoing_url_problem(document["webhook_url"])
    if problem:
        raise FrontError(400, "Invalid request body", [f"/webhook_url: {problem}"])
    application = add_application(
        request.app.state.store,
        document["name"],
        document["webhook_url"],
        document.get("uid"),
        document.get("secret"),
        document.get("delete_signature", "body"),
    )
    return front_json(request, application.as_document(), "application", 201)


async def authorize_channel(request: Request) -> Response:
    """What a Front admin adding the app's channel to an inbox does: the app is sent `authorization` and
    must answer `{"type": "success", "webhook_url": URL}`; anything else leaves no channel behind."""
    store: Store = request.app.state.store
    application = application_or_refusal(store, request.path_params["uid"])
    document = await json_document(request, "authorize-channel", what="the channel")
    planned = planned_application_channel(store, application, document["name"], document.get("address"))
    sent, answer = await request.app.state.app_events.send(
        application,
        application.webhook_url,
        authorization_event(planned.id),
        planned.id,
        judge=authorization_problem,
    )
    if sent.outcome != "accepted":
        quoted = (sent.answer_body or "")[:_QUOTED_ANSWER]
        raise FrontError(
            502,
            f"The app did not authorize the channel: {sent.reason} (event {sent.id})",
            [f"answer: {quoted!r}"] if sent.answer_status is not None else None,
        )
    webhook_url = answer["webhook_url"]
    channel = authorized_channel(store, planned, webhook_url)
    created = channel.as_document()
    created["_links"] = {"self": channel_json(base_url(request), channel, store)["_links"]["self"]}
    return front_json(request, created, "workspace-channel", 201)


async def delete_channel(request: Request) -> Response:
    """Remove an application channel; its app is sent `delete` first (whatever it answers, the channel
    goes, as in Front: the event is journalled with the answer)."""
    store: Store = request.app.state.store
    channel = channel_or_404(store, request.path_params["channel_id"])
    application = store.application(channel.application) if channel.application else None
    if application is None:
        raise FrontError(
            400, f"Channel {channel.id} is not an application channel: only those can be deleted here"
        )
    if channel.settings.webhook_url is not None:
        await request.app.state.app_events.send(
            application, channel.settings.webhook_url, delete_event(channel.id), channel.id, method="DELETE"
        )
    store.remove_channel(channel)
    return Response(status_code=204)


async def list_app_events(request: Request) -> Response:
    """The event journal: every event sent to an app, oldest first."""
    wanted = list_filters(request, APP_EVENT_FILTERS)
    results = [
        event.as_document()
        for event in request.app.state.store.app_events
        if all(getattr(event, key) == value for key, value in wanted.items())
    ]
    return front_json(request, {"_results": results}, "app-event-list")


routes = [
    Route("/_emulator/applications", create_application, methods=["POST"]),
    Route("/_emulator/applications/{uid}/channels", authorize_channel, methods=["POST"]),
    Route("/_emulator/channels/{channel_id}", delete_channel, methods=["DELETE"]),
    Route("/_emulator/app_events", list_app_events, methods=["GET"]),
]
