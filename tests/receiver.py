"""A real integration endpoint on loopback: records what Front (the emulator) POSTs and answers as told."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.harness import LiveServer
from emulator.signing import SignatureError, verify_json


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    document: Any
    # Verified the way integrations do: re-serialise the parsed JSON, then check the HMAC.
    signature_ok: bool
    signature_problem: str | None


@dataclass
class Answer:
    status: int = 200
    body: bytes = b'{"type": "success"}'
    delay: float = 0.0
    content_type: str = "application/json"
    # Answer only once the receiver is released (by the test, or at the latest at teardown): the test says
    # when, and a timeout is certain however slow the machine.
    hang: bool = False


@dataclass
class Receiver:
    secret: str
    scheme: str = "sha1-body"
    received: list[Received] = field(default_factory=list)
    answer: Callable[[Any], Answer] = lambda document: Answer()
    arrived: threading.Condition = field(default_factory=threading.Condition)
    # Set at teardown, so hanging answers end and the server stops at once.
    released: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        document = orjson.loads(body)
        try:
            verify_json(dict(request.headers), document, self.secret, self.scheme)
            ok, problem = True, None
        except SignatureError as error:
            ok, problem = False, str(error)
        with self.arrived:
            self.received.append(Received(dict(request.headers), body, document, ok, problem))
            self.arrived.notify_all()
        answer = self.answer(document)
        if answer.hang:
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return Response(answer.body, status_code=answer.status, media_type=answer.content_type)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"receiver got {len(self.received)} requests, expected {count}")
        return self.received


def start_receiver(secret: str, scheme: str = "sha1-body") -> tuple[Receiver, LiveServer]:
    receiver = Receiver(secret=secret, scheme=scheme)
    app = Starlette(routes=[Route("/front/outgoing", receiver.handle, methods=["POST"])])
    server = LiveServer(app)
    receiver.url = server.start() + "/front/outgoing"
    return receiver, server
