"""Front's Channel API for application message templates, authenticated by a channel JWT like every
Channel API route (emulator/api/channel_api.py); the rules are in emulator/domain/message_templates.py.
Both routes answer 200 `{"template_id": <number>}`, Front's ApplicationMessageTemplateResponse."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.api.channel_api import authorised_channel
from emulator.domain.message_templates import MessageTemplate, sync_template, update_template
from emulator.wire.documents import json_document
from emulator.wire.responses import front_json


def _answer(request: Request, template: MessageTemplate) -> Response:
    return front_json(request, {"template_id": template.template_id}, "message-template-answer")


async def sync_message_template(request: Request) -> Response:
    """PUT /channels/{id}/application_message_templates: import a template, or replace the one with its
    external_id."""
    grant = authorised_channel(request)
    document = await json_document(request, "channel-message-template", what="the template")
    return _answer(request, sync_template(request.app.state.store, grant.channel, document))


async def update_message_template(request: Request) -> Response:
    """PATCH /channels/{id}/application_message_templates/{external_id}: change some of its fields."""
    grant = authorised_channel(request)
    document = await json_document(request, "channel-message-template-update", what="the changes")
    template = update_template(
        request.app.state.store, grant.channel, request.path_params["external_id"], document
    )
    return _answer(request, template)


_TEMPLATES = "/channels/{channel_id}/application_message_templates"
routes = [
    Route(_TEMPLATES, sync_message_template, methods=["PUT"]),
    Route(_TEMPLATES + "/{external_id}", update_message_template, methods=["PATCH"]),
]
