"""A minimal app of an application channel: its webhook verifies Front's signature and answers each event.

Standard library only, so it runs with any Python 3.11+:

    python3 docs/examples/app_webhook.py --port 9000 --secret front-emulator-application-secret

Front authorizes a channel at /front/app; the app answers with /front/app/channels/<id>, where Front then
sends that channel's events.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from signed_json_handler import SignedJsonHandler  # next to this file

TOLERANCE_SECONDS = 300


def signature_is_valid(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """base64(HMAC-SHA256(App secret, "<timestamp>:" + raw body)), timestamp (ms) under 5 minutes old."""
    timestamp = headers.get("x-front-request-timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp) / 1000) > TOLERANCE_SECONDS:
        return False
    digest = hmac.new(secret.encode(), timestamp.encode() + b":" + body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), headers.get("x-front-signature", "").encode())


def handler_for(secret: str, base: str) -> type[BaseHTTPRequestHandler]:
    message_ids = itertools.count(1)

    class WebhookHandler(SignedJsonHandler):
        def do_POST(self) -> None:
            body = self.signed_body(signature_is_valid, secret)
            if body is None:
                return
            event = json.loads(body)
            if event["type"] == "authorization":
                channel_url = f"{base}/front/app/channels/{event['payload']['channel_id']}"
                self.answer(200, {"type": "success", "webhook_url": channel_url})
            elif event["type"] in ("message", "message_autoreply"):
                # Send it on the partner's side here; a new conversation gets a new thread id.
                threads = event["metadata"].get("external_conversation_ids") or [f"thread-{time.time_ns()}"]
                sent = {"external_id": f"sent-{next(message_ids)}", "external_conversation_id": threads[0]}
                self.answer(200, {"type": "success", **sent})
            else:  # message_imported, and any event newer than this app
                self.answer(200, {})

        do_DELETE = do_POST  # the channel's delete event

    return WebhookHandler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", default="front-emulator-application-secret")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(args.secret, base))
    print(f"Authorization webhook: {base}/front/app", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
