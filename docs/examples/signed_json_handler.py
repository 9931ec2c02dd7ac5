"""What both example endpoints share (outgoing_receiver.py, app_webhook.py): a POST whose signature holds,
JSON answers, a health check a script can wait on, and no access log. Standard library only; copy it with
the example you start from."""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

# Checks Front's signature over the request's headers (names in lower case) and raw body with a secret.
SignatureCheck = Callable[[dict[str, str], bytes, str], bool]


class SignedJsonHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # a health check, so a script can wait until it listens
        self.answer(200, {"status": "listening"})

    def signed_body(self, signature_is_valid: SignatureCheck, secret: str) -> bytes | None:
        """The raw body if its signature holds (checked before parsing it); else answers 401, gives None."""
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        if signature_is_valid(headers, body, secret):
            return body
        self.answer(401, {"type": "authentication_required", "message": "Bad signature"})
        return None

    def answer(self, status: int, document: dict[str, Any]) -> None:
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # what the example prints is enough
        pass
