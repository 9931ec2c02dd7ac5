"""Control plane routes, built like any other API: JSON in, JSON out, Front's error envelope.

The route table is here; the endpoints live by subject beside it (state, clock, journal, wait, openapi),
and GET /_emulator/openapi.json describes every route of this table and of control/outbox.py.
"""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import __version__
from emulator.control import clock, journal, openapi, state, wait
from emulator.wire.responses import front_json


async def livez(request: Request) -> Response:
    return front_json(request, {"status": "ok"}, "health")


async def readyz(request: Request) -> Response:
    """Ready once the workspace is loaded and the store answers, which is as soon as the app is up."""
    store = request.app.state.store
    document = {
        "status": "ready",
        "channels": len(store.workspace.channels),
        "messages": store.message_count,
        "pending_messages": store.awaiting_creation_count,
    }
    response = front_json(request, document, "health")
    # `front-emulator readyz [--pid]` (emulator/readiness.py) tells this server from whatever else answers.
    response.headers["x-front-emulator-version"] = __version__
    response.headers["x-front-emulator-pid"] = str(os.getpid())
    return response


async def get_workspace(request: Request) -> Response:
    return front_json(request, request.app.state.store.workspace.as_document(), "workspace")


routes = [
    Route("/_emulator/livez", livez, methods=["GET"]),
    Route("/_emulator/readyz", readyz, methods=["GET"]),
    Route("/_emulator/workspace", get_workspace, methods=["GET"]),
    Route("/_emulator/reset", state.reset, methods=["POST"]),
    Route("/_emulator/seed", state.seed, methods=["POST"]),
    Route("/_emulator/snapshot", state.take_snapshot, methods=["POST"]),
    Route("/_emulator/snapshots/{snapshot_id}/restore", state.restore_snapshot, methods=["POST"]),
    Route("/_emulator/clock", clock.get_clock, methods=["GET"]),
    Route("/_emulator/clock/freeze", clock.freeze, methods=["POST"]),
    Route("/_emulator/clock/advance", clock.advance, methods=["POST"]),
    Route("/_emulator/clock/unfreeze", clock.unfreeze, methods=["POST"]),
    Route("/_emulator/requests", journal.list_requests, methods=["GET"]),
    Route("/_emulator/requests", journal.clear_requests, methods=["DELETE"]),
    Route("/_emulator/requests/report", journal.report, methods=["GET"]),
    Route("/_emulator/wait", wait.wait, methods=["POST"]),
    Route("/_emulator/openapi.json", openapi.get_openapi, methods=["GET"]),
]
