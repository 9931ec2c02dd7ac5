"""A small live-chat bridge between a website chat and a Front custom channel.

- A visitor writes in the website chat (``POST /chat/{session}/messages``): the bridge pushes the message
  into Front with ``POST /channels/{channel_id}/incoming_messages``, threaded by chat session.
- A teammate replies in Front: Front POSTs the message to the bridge's Outgoing URL
  (``POST /front/outgoing``); the bridge verifies ``X-Front-Signature`` over the raw body, finds the
  visitor's chat session and shows the reply there.

The chat itself is in memory (:class:`Chat`). This file is the README's example and runs as a test in
tests/examples/test_livechat_bridge.py, against the emulator and the contract runner.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TIMESTAMP_TOLERANCE_SECONDS = 300  # Front's security guide: reject requests older than 5 minutes
# Front answers 429 (with Retry-After) past its rate limits, and 5xx when it is having trouble: both are
# worth another try. Anything else (a 4xx about the message itself) would fail again.
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 4
MAX_RETRY_AFTER_SECONDS = 60.0


@dataclass
class ChatLine:
    id: str
    author: str  # "visitor" or the teammate's name
    text: str


@dataclass
class Chat:
    """The website chat: one transcript per session, and who the visitor of each session is."""

    transcripts: dict[str, list[ChatLine]] = field(default_factory=dict)
    session_of_visitor: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add(self, session: str, author: str, text: str) -> ChatLine:
        line = ChatLine(f"line-{next(self._ids)}", author, text)
        self.transcripts.setdefault(session, []).append(line)
        return line


def signature_is_valid(headers: dict[str, str], body: bytes, secret: str, scheme: str) -> bool:
    """Front's two schemes, checked over the raw body in constant time."""
    signature = headers.get("x-front-signature", "").encode()
    key = secret.encode()
    if scheme == "sha1-body":
        expected = base64.b64encode(hmac.new(key, body, hashlib.sha1).digest())
        return hmac.compare_digest(expected, signature)
    timestamp = headers.get("x-front-request-timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp) / 1000) > TIMESTAMP_TOLERANCE_SECONDS:
        return False
    signed = timestamp.encode() + b":" + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature)


def front_error(status: int, kind: str, message: str) -> JSONResponse:
    """Front's error answer: the message is marked failed to send, with `message` as the reason."""
    return JSONResponse({"type": kind, "message": message}, status_code=status)


def retry_delay(answer: httpx.Response, attempt: int, backoff: float) -> float:
    """Seconds before the next attempt: Front's Retry-After when it gives one, else exponential backoff."""
    retry_after = answer.headers.get("retry-after", "")
    if retry_after.isdigit():
        return min(float(retry_after), MAX_RETRY_AFTER_SECONDS)
    return backoff * 2 ** (attempt - 1)


async def post_with_retries(
    front: httpx.AsyncClient, path: str, document: dict[str, object], backoff: float
) -> httpx.Response:
    """POST to Front, trying again after a 429 or a 5xx (up to MAX_ATTEMPTS); the last answer is returned."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        answer = await front.post(path, json=document)
        if answer.status_code not in RETRIED_STATUSES or attempt == MAX_ATTEMPTS:
            return answer
        await asyncio.sleep(retry_delay(answer, attempt, backoff))
    raise AssertionError("unreachable: the last attempt returns")


def create_bridge(
    front_url: str,
    token: str,
    channel_id: str,
    api_secret: str,
    scheme: str = "sha1-body",
    retry_backoff: float = 0.5,
) -> Starlette:
    chat = Chat()
    front = httpx.AsyncClient(base_url=front_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    async def visitor_writes(request: Request) -> JSONResponse:
        session = request.path_params["session"]
        document = await request.json()
        visitor, text = document["visitor"], document["text"]
        chat.add(session, "visitor", text)
        chat.session_of_visitor[visitor] = session
        answer = await post_with_retries(
            front,
            f"/channels/{channel_id}/incoming_messages",
            {
                "sender": {"handle": visitor, "name": document.get("name")},
                "body": text,
                "metadata": {"thread_ref": session},
            },
            retry_backoff,
        )
        answer.raise_for_status()
        return JSONResponse(answer.json(), status_code=202)

    async def transcript(request: Request) -> JSONResponse:
        lines = chat.transcripts.get(request.path_params["session"], [])
        return JSONResponse([{"id": line.id, "author": line.author, "text": line.text} for line in lines])

    async def front_outgoing(request: Request) -> JSONResponse:
        body = await request.body()
        # Verify before parsing: the raw bytes are what Front signed.
        if not signature_is_valid(dict(request.headers), body, api_secret, scheme):
            return front_error(401, "authentication_required", "The X-Front-Signature is not valid.")
        try:
            message = json.loads(body)
            text = message["text"]
            visitors = [r["handle"] for r in message["recipients"] if r["role"] == "to"]
            author = message["author"] or {}
        except (ValueError, KeyError, TypeError):
            return front_error(400, "bad_request", "The body is not a Front message.")
        session = next((chat.session_of_visitor[v] for v in visitors if v in chat.session_of_visitor), None)
        if session is None:
            return front_error(404, "not_found", f"No chat session for {', '.join(visitors)}.")
        line = chat.add(session, author.get("first_name") or "Support", text)
        return JSONResponse({"type": "success", "external_id": line.id})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Its connections to Front belong to the server's event loop: close them before the loop ends.
        async with front:
            yield

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/chat/{session}/messages", visitor_writes, methods=["POST"]),
            Route("/chat/{session}", transcript, methods=["GET"]),
            Route("/front/outgoing", front_outgoing, methods=["POST"]),
        ],
    )
    app.state.chat = chat
    return app
