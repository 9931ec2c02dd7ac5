"""Counter-examples for the application contract runner: the partner app of partner_app.py with one
mistake each, of the kinds apps written against Front's docs make.

tests/contract/test_application_runner.py runs the contract against each and expects the finding that
names its mistake.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from tests.examples.partner_app import PartnerApp


class AuthorizesWithoutWebhookUrl(PartnerApp):
    """Answers authorization with a bare success: Front cannot know where to send the channel's events."""

    async def authorization(self, request: Request) -> Response:
        _, refused = await self._event(request)
        return refused or JSONResponse({"type": "success"})


class SucceedsWithoutExternalIds(PartnerApp):
    """Answers a teammate's message with a bare success, as a custom channel would."""

    def answer_channel_event(self, request: Request, event: dict[str, Any]) -> Response:
        if event["type"] == "message":
            return JSONResponse({"type": "success"})
        return super().answer_channel_event(request, event)


class CrashesOnAutoreply(PartnerApp):
    """Files every message event under its payload's id: an auto-reply has none, so it crashes (500)."""

    def answer_channel_event(self, request: Request, event: dict[str, Any]) -> Response:
        if event["type"] == "message_autoreply":
            try:
                event["payload"]["id"]
            except KeyError:
                return PlainTextResponse("Internal Server Error", status_code=500)
        return super().answer_channel_event(request, event)


class AcceptsAnySignature(PartnerApp):
    """Only checks that the request carries a signature, not that it is Front's."""

    def _verified(self, request: Request, body: bytes) -> bool:
        return "x-front-signature" in request.headers


@dataclass
class AnswersLate(PartnerApp):
    """Sends a teammate's message before answering, and the sending hangs: no answer until ``released``
    (set when the test is done), well after any timeout."""

    released: threading.Event = field(default_factory=threading.Event)

    async def channel_event(self, request: Request) -> Response:
        if self._verified(request, await request.body()) and (await request.json())["type"] == "message":
            await anyio.to_thread.run_sync(self.released.wait)
        return await super().channel_event(request)
