"""The inspector: server-rendered pages under /_emulator/ui, and forms that act as a teammate.

Every page renders its whole content without JavaScript (pages.py); forms POST to /_emulator/ui/… and
redirect back (forms.py). Pages and forms ask the domain's rules (emulator.domain.sending), the ones
behind Front's own API routes, so what the composer offers, accepts or refuses is exactly what the API
would. static/inspector.js only adds live updates (see live.py) and the undo countdown.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from emulator.ui import app_pages, around_pages, call_pages, fault_pages, forms, pages
from emulator.ui.live import event_stream
from emulator.ui.templating import PREFIX, STATIC_DIR

routes: list[BaseRoute] = [
    Route("/", pages.root, methods=["GET"]),
    Route(PREFIX, pages.workspace_page, methods=["GET"]),
    Route(PREFIX + "/", pages.workspace_page, methods=["GET"]),
    Route(PREFIX + "/events", event_stream, methods=["GET"]),
    Route(PREFIX + "/channels/{channel_id}", pages.channel_page, methods=["GET"]),
    Route(PREFIX + "/channels/{channel_id}/messages", forms.compose, methods=["POST"]),
    Route(PREFIX + "/channels/{channel_id}/calls/{external_call_id}", call_pages.call_page, methods=["GET"]),
    Route(PREFIX + "/conversations/{conversation_id}", pages.conversation_page, methods=["GET"]),
    Route(PREFIX + "/conversations/{conversation_id}/reply", forms.reply, methods=["POST"]),
    Route(PREFIX + "/messages/{message_id}/cancel", forms.cancel, methods=["POST"]),
    Route(PREFIX + "/messages/{message_id}/attachments/{attachment_id}", pages.download, methods=["GET"]),
    Route(PREFIX + "/deliveries", pages.deliveries_page, methods=["GET"]),
    Route(PREFIX + "/deliveries/{delivery_id}", pages.delivery_page, methods=["GET"]),
    Route(PREFIX + "/deliveries/{delivery_id}/redeliver", forms.redeliver, methods=["POST"]),
    Route(PREFIX + "/applications/{uid}", app_pages.application_page, methods=["GET"]),
    Route(PREFIX + "/app_events", app_pages.app_events_page, methods=["GET"]),
    Route(PREFIX + "/app_events/{event_id}", app_pages.app_event_page, methods=["GET"]),
    Route(PREFIX + "/contacts/{contact_id}", around_pages.contact_page, methods=["GET"]),
    Route(PREFIX + "/inboxes/{inbox_id}", around_pages.inbox_page, methods=["GET"]),
    Route(PREFIX + "/faults", fault_pages.faults_page, methods=["GET"]),
    Route(PREFIX + "/faults/clear", fault_pages.clear_faults, methods=["POST"]),
    Route(PREFIX + "/refused", pages.refused_page, methods=["GET"]),
    Route(PREFIX + "/rejected", pages.rejected_page, methods=["GET"]),
    Mount(PREFIX + "/static", StaticFiles(directory=str(STATIC_DIR)), name="inspector-static"),
    Route(PREFIX + "/{rest:path}", pages.not_found, methods=["GET", "POST"]),
]
