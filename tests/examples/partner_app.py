"""A small partner app for a Front application channel, written from Front's docs only.

- Front authorizes a new channel (``{"type": "authorization"}`` to the app's webhook): the app answers
  with the URL where Front sends that channel's events.
- A contact writes on the partner's side: the app syncs the message into Front with
  ``POST /channels/{channel_id}/inbound_messages``, authenticated by a JWT signed with the App secret.
- A teammate replies in Front: Front POSTs a ``message`` event; the app "sends" it and answers success
  with its own message and thread ids. If delivery fails later it says so with ``PUT …/status``.
- Every request from Front is checked: ``X-Front-Signature`` = base64 HMAC-SHA256 with the App secret
  over ``"<X-Front-Request-Timestamp>:" + raw body``, no older than 5 minutes.

It runs as a test in tests/examples/test_partner_app.py against the emulator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TIMESTAMP_TOLERANCE_SECONDS = 300


@dataclass
class PartnerApp:
    front_url: str
    app_uid: str
    app_secret: str
    public_url: str = ""
    channels: set[str] = field(default_factory=set)
    # What teammates sent through Front, by the app's own message id.
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    # -- from Front ------------------------------------------------------------------------------

    def _verified(self, request: Request, body: bytes) -> bool:
        timestamp = request.headers.get("x-front-request-timestamp", "")
        signature = request.headers.get("x-front-signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp) / 1000) > TIMESTAMP_TOLERANCE_SECONDS:
            return False
        digest = hmac.new(self.app_secret.encode(), timestamp.encode() + b":" + body, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), signature)

    async def _event(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        body = await request.body()
        if not self._verified(request, body):
            return None, JSONResponse({"type": "authentication_required", "message": "bad signature"}, 401)
        event = await request.json()
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()
        return event, None

    async def authorization(self, request: Request) -> Response:
        event, refused = await self._event(request)
        if refused is not None or event is None:
            return refused or Response(status_code=400)
        channel_id = event["payload"]["channel_id"]
        self.channels.add(channel_id)
        return JSONResponse(
            {"type": "success", "webhook_url": f"{self.public_url}/front/channels/{channel_id}"}
        )

    async def channel_event(self, request: Request) -> Response:
        event, refused = await self._event(request)
        if refused is not None or event is None:
            return refused or Response(status_code=400)
        return self.answer_channel_event(request, event)

    def answer_channel_event(self, request: Request, event: dict[str, Any]) -> Response:
        """The answer to a verified event of one of its channels."""
        if event["type"] == "delete":
            self.channels.discard(request.path_params["channel_id"])
            return JSONResponse({})
        if event["type"] in ("message", "message_autoreply"):
            threads = event.get("metadata", {}).get("external_conversation_ids") or [
                f"thread-{uuid.uuid4().hex}"
            ]
            external_id = f"partner-{next(self._ids)}"
            self.sent[external_id] = event["payload"]
            return JSONResponse(
                {"type": "success", "external_id": external_id, "external_conversation_id": threads[0]}
            )
        return JSONResponse({})  # message_imported and anything newer

    # -- to Front --------------------------------------------------------------------------------

    def _jwt(self, channel_id: str) -> str:
        claims = {
            "iss": self.app_uid,
            "sub": channel_id,
            "jti": uuid.uuid4().hex,
            "exp": int(time.time()) + 10,
        }
        return jwt.encode(claims, self.app_secret, algorithm="HS256")

    def _front(self, method: str, path: str, channel_id: str, document: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._jwt(channel_id)}"}
        with httpx.Client(base_url=self.front_url, timeout=10) as client:
            return client.request(method, path, json=document, headers=headers)

    def contact_wrote(self, channel_id: str, handle: str, text: str, thread: str) -> str:
        """A contact's message on the partner's side, synced into Front; its message_uid."""
        document = {
            "sender": {"handle": handle},
            "body": text,
            "metadata": {"external_id": f"contact-{uuid.uuid4().hex}", "external_conversation_id": thread},
        }
        answer = self._front("POST", f"/channels/{channel_id}/inbound_messages", channel_id, document)
        answer.raise_for_status()
        return str(answer.json()["message_uid"])

    def delivery_failed(self, channel_id: str, thread: str, external_id: str, reason: str) -> None:
        path = f"/channels/{channel_id}/conversations/{thread}/messages/{external_id}/status"
        self._front("PUT", path, channel_id, {"status": "failed", "reason": reason}).raise_for_status()

    def wait_for_event(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        with self.changed:
            found = self.changed.wait_for(lambda: [e for e in self.events if e["type"] == kind], timeout)
        if not found:
            raise AssertionError(f"no {kind} event within {timeout:g} s")
        return found[0]

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/front", self.authorization, methods=["POST"]),
                Route("/front/channels/{channel_id}", self.channel_event, methods=["POST", "DELETE"]),
            ]
        )
