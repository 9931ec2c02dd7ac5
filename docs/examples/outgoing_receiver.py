"""A minimal integration's Outgoing URL: verifies Front's signature and answers as Front expects.

Standard library only, so it runs with any Python 3.11+:

    python3 docs/examples/outgoing_receiver.py --port 9000 --secret front-emulator-api-secret
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from signed_json_handler import SignedJsonHandler  # next to this file


def signature_is_valid(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """Front's two schemes, checked over the raw body (before parsing it) in constant time."""
    signature = headers.get("x-front-signature", "").encode()
    timestamp = headers.get("x-front-request-timestamp")
    if timestamp is None:  # sha1-body: base64(HMAC-SHA1(secret, body))
        digest = hmac.new(secret.encode(), body, hashlib.sha1).digest()
    else:  # sha256-timestamp: base64(HMAC-SHA256(secret, "<timestamp>:" + body))
        digest = hmac.new(secret.encode(), timestamp.encode() + b":" + body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature)


def handler_for(secret: str) -> type[BaseHTTPRequestHandler]:
    class OutgoingHandler(SignedJsonHandler):
        def do_POST(self) -> None:
            body = self.signed_body(signature_is_valid, secret)
            if body is None:
                return
            message = json.loads(body)
            print(f"received {message['id']}: {message['text']}", flush=True)
            self.answer(200, {"type": "success"})

    return OutgoingHandler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", default="front-emulator-api-secret")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(args.secret))
    print(f"Outgoing URL: http://127.0.0.1:{args.port}/front/outgoing", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
