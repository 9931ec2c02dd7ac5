"""Control plane for application channels: the Front apps of the workspace."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.domain.applications import add_application
from emulator.wire.documents import json_document
from emulator.wire.errors import FrontError
from emulator.wire.outgoing_urls import outgoing_url_problem
from emulator.wire.responses import front_json


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
    )
    return front_json(request, application.as_document(), "application", 201)


routes = [
    Route("/_emulator/applications", create_application, methods=["POST"]),
]
