"""create_app(config) -> Starlette: wiring only."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp

from emulator.api.around import routes as around_routes
from emulator.api.channel_api import SyncedMessages, update_channel_or_status, update_message_status
from emulator.api.channel_calls import routes as channel_call_routes
from emulator.api.channel_templates import routes as channel_template_routes
from emulator.api.gate import ExceptionHandler, Gate
from emulator.api.incoming import IncomingMessages
from emulator.api.reading import (
    download_attachment,
    get_channel,
    get_conversation,
    get_message,
    list_channels,
    list_conversation_messages,
    update_conversation,
)
from emulator.api.sending import compose_message, reply_to_conversation
from emulator.config import Config
from emulator.control.applications import routes as application_control_routes
from emulator.control.calls import routes as call_control_routes
from emulator.control.faults import routes as fault_control_routes
from emulator.control.outbox import routes as outbound_control_routes
from emulator.control.routes import routes as control_routes
from emulator.control.wait import Stopping
from emulator.domain.clock import Clock, ControllableClock
from emulator.domain.faults import Faults
from emulator.domain.ids import IdSource
from emulator.domain.journal import RequestJournal
from emulator.domain.ratelimit import RateLimiter
from emulator.domain.rules import Refusal
from emulator.domain.store import Store
from emulator.outbound.app_events import AppEventSender
from emulator.outbound.delivery import DeliveryEngine
from emulator.ui.live import LiveEvents
from emulator.ui.routes import routes as ui_routes
from emulator.ui.templating import inspector_templates
from emulator.wire import errors
from emulator.workspace_files import load_workspace_file


class EmulatorApp(Starlette):
    """Starlette with the gate (emulator/api/gate.py) as the outermost layer of its stack, outside
    Starlette's own server-error middleware, so the hot routes can skip that and the router."""

    def __init__(self, gate: Callable[[ASGIApp], ASGIApp], **settings: Any) -> None:
        self._gate = gate
        super().__init__(**settings)

    def build_middleware_stack(self) -> ASGIApp:
        return self._gate(super().build_middleware_stack())


def create_store(config: Config, clock: Clock | None = None) -> Store:
    workspace = load_workspace_file(config.workspace_path)
    return Store(
        workspace=workspace,
        # Real time until the control plane freezes it (POST /_emulator/clock/freeze).
        clock=clock or ControllableClock(),
        ids=IdSource(config.seed),
        creation_delay=config.creation_delay,
        rate_limiter=RateLimiter(config.rate_limit_per_minute, config.burst_limit),
        normalise_phone_handles=config.normalise_phone_handles,
    )


def create_app(config: Config | None = None, store: Store | None = None) -> Starlette:
    config = config or Config()
    store = store or create_store(config)
    # The routes that take messages in (plain ASGI endpoints with store and config bound: emulator/api/
    # incoming.py, emulator/api/channel_api.py): the gate calls them straight (emulator/api/gate.py), and
    # the router has them first for the requests the gate leaves to it.
    hot_routes: dict[str, ASGIApp] = {
        "incoming_messages": IncomingMessages(store, config),
        "inbound_messages": SyncedMessages(store, config, inbound=True),
        "outbound_messages": SyncedMessages(store, config, inbound=False),
    }
    routes = [
        *(
            Route(f"/channels/{{channel_id}}/{name}", endpoint, methods=["POST"])
            for name, endpoint in hot_routes.items()
        ),
        Route("/messages/{message_id}", get_message, methods=["GET"]),
        Route("/messages/{message_id}/download/{attachment_id}", download_attachment, methods=["GET"]),
        Route("/conversations/{conversation_id}", get_conversation, methods=["GET"]),
        Route("/conversations/{conversation_id}", update_conversation, methods=["PATCH"]),
        Route("/conversations/{conversation_id}/messages", list_conversation_messages, methods=["GET"]),
        Route("/channels", list_channels, methods=["GET"]),
        Route("/channels/{channel_id}", get_channel, methods=["GET"]),
        # The Core API's settings change, or the Channel API's status report with a channel JWT.
        Route("/channels/{channel_id}", update_channel_or_status, methods=["PATCH"]),
        Route("/conversations/{conversation_id}/messages", reply_to_conversation, methods=["POST"]),
        Route("/channels/{channel_id}/messages", compose_message, methods=["POST"]),
        # Front's Channel API (application channels): emulator/api/channel_api.py.
        Route(
            "/channels/{channel_id}/conversations/{conv_ext_id}/messages/{message_ext_id}/status",
            update_message_status,
            methods=["PUT"],
        ),
        # Its calls and message templates: emulator/api/channel_calls.py, emulator/api/channel_templates.py.
        *channel_call_routes,
        *channel_template_routes,
        *around_routes,
        *control_routes,
        *outbound_control_routes,
        *application_control_routes,
        *call_control_routes,
        *fault_control_routes,
        # The inspector (GET / redirects to it) last: it ends with a catch-all for /_emulator/ui/*.
        *ui_routes,
    ]
    journal = RequestJournal()
    faults = Faults(store.ids.seed)
    engine = DeliveryEngine(store, config.base_url, config.validate_responses)
    app_events = AppEventSender(store, config.base_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await engine.start()
        await app_events.start()
        try:
            yield
        finally:
            await app_events.stop()
            await engine.stop()

    exception_handlers: dict[Any, ExceptionHandler] = {
        errors.FrontError: errors.handle_front_error,
        Refusal: errors.handle_refusal,
        HTTPException: errors.handle_http_exception,
        Exception: errors.handle_unexpected,
    }
    gate = functools.partial(
        Gate,
        config=config,
        store=store,
        journal=journal,
        faults=faults,
        hot_routes=hot_routes,
        exception_handlers=exception_handlers,
    )
    app = EmulatorApp(gate, routes=routes, lifespan=lifespan, exception_handlers=exception_handlers)
    app.state.config = config
    app.state.store = store
    app.state.engine = engine
    app.state.app_events = app_events
    # Set when the server begins to stop: long-polls answer at once (POST /_emulator/wait).
    app.state.stopping = Stopping()

    async def stop_serving() -> None:
        """The server is stopping (emulator/serving.py): answer waits now, end deliveries as interrupted."""
        app.state.stopping.stop()
        await engine.stop()

    app.state.stop_serving = stop_serving
    app.state.journal = journal
    app.state.faults = faults
    # The inspector's live-event hub and Jinja environment: built once here, never inside a route.
    app.state.ui_live = LiveEvents(store)
    app.state.ui_templates = inspector_templates()
    return app
