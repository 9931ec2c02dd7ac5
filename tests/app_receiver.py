"""A real app of an application channel on loopback: records every event Front (the emulator) sends,
checks its signature with the App secret, and answers as told."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.harness import LiveServer
from emulator.signing import SignatureError, verify


@dataclass
class AppRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    document: Any
    signature_problem: str | None


Answerer = Callable[[AppRequest], tuple[int, Any]]


def success_with_webhook(base: str) -> Answerer:
    """Answer authorization with a channel URL of this app, anything else with Front's success."""

    def answer(request: AppRequest) -> tuple[int, Any]:
        document = request.document
        if isinstance(document, dict) and document.get("type") == "authorization":
            channel_id = document["payload"]["channel_id"]
            return 200, {"type": "success", "webhook_url": f"{base}/channels/{channel_id}"}
        return 200, {"type": "success"}

    return answer


@dataclass
class AppReceiver:
    secret: str
    url: str = ""
    received: list[AppRequest] = field(default_factory=list)
    answer: Answerer | None = None
    # What DELETE requests are signed over (the application's delete_signature setting).
    delete_signed_over_undefined: bool = False
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        signed = b"undefined" if request.method == "DELETE" and self.delete_signed_over_undefined else body
        try:
            verify(dict(request.headers), signed, self.secret, "sha256-timestamp")
            problem = None
        except SignatureError as error:
            problem = str(error)
        document = orjson.loads(body) if body.strip() else None
        headers = dict(request.headers)
        received = AppRequest(request.method, request.url.path, headers, body, document, problem)
        with self.arrived:
            self.received.append(received)
            self.arrived.notify_all()
        status, answer = (self.answer or success_with_webhook(self.url))(received)
        content = answer if isinstance(answer, bytes) else orjson.dumps(answer)
        return Response(content, status_code=status, media_type="application/json")

    def wait_for(self, count: int, timeout: float = 10.0) -> list[AppRequest]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"the app got {len(self.received)} requests, expected {count}")
        return self.received


@contextmanager
def running_app(secret: str) -> Iterator[AppReceiver]:
    receiver = AppReceiver(secret=secret)
    app = Starlette(routes=[Route("/app{rest:path}", receiver.handle, methods=["POST", "DELETE"])])
    server = LiveServer(app)
    receiver.url = server.start() + "/app"
    try:
        yield receiver
    finally:
        server.stop()
