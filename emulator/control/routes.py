"""Control plane routes, built like any other API: JSON in, JSON out, Front's error envelope."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.api.responses import front_json


async def livez(request: Request) -> Response:
    return front_json(request, {"status": "ok"}, "health")


async def readyz(request: Request) -> Response:
    """Ready once the workspace is loaded and the store answers, which is as soon as the app is up."""
    store = request.app.state.store
    document = {
        "status": "ready",
        "channels": len(store.workspace.channels),
        "messages": store.message_count,
        "pending_messages": store.pending_count,
    }
    return front_json(request, document, "health")


async def get_workspace(request: Request) -> Response:
    return front_json(request, request.app.state.store.workspace.as_document(), "workspace")


async def reset(request: Request) -> Response:
    """Back to the workspace loaded at start: messages, conversations and rate budgets forgotten."""
    request.app.state.store.reset()
    return Response(status_code=204)


routes = [
    Route("/_emulator/livez", livez, methods=["GET"]),
    Route("/_emulator/readyz", readyz, methods=["GET"]),
    Route("/_emulator/workspace", get_workspace, methods=["GET"]),
    Route("/_emulator/reset", reset, methods=["POST"]),
]
