"""Throughput of POST /channels/cha_1a04/inbound_messages (a channel JWT verified on every request)
against a bare Starlette endpoint, same run, over HTTP as incoming_throughput.py measures incoming_messages.

Same servers, load and pairing as incoming_throughput.py (see _http_load.py). Each request carries its
own `metadata.external_id` (a repeated one is refused with 409), made by wrk's Lua script from a counter
and the run's number; the bare endpoint gets the very same requests. The app's token is one JWT for the
whole run (exp an hour ahead), as an app that reuses its token sends it: the emulator does not enforce
`jti` replay (docs/fidelity.md), so that is allowed. The channel's `message_imported` events are switched
off: each is an HTTP request to the app's URL (nothing listens there in a benchmark), and the delivery of
events is delivery_throughput.py's subject, not this route's.

    .venv/bin/python benchmarks/inbound_throughput.py [--rounds 7] [--seconds 4] [--protocol httptools]
"""

from __future__ import annotations

import time
from dataclasses import replace

import httpx
import jwt
import orjson
from _common import MESSAGE
from _http_load import Load, Route, compare, lua_string

APP_CHANNEL = "cha_1a04"
APP_UID = "app1a05"
APP_SECRET = "front-emulator-application-secret"
INBOUND_PATH = f"/channels/{APP_CHANNEL}/inbound_messages"
ROUTE = "/channels/{channel_id}/inbound_messages"
_ID_PLACEHOLDER = "@EXTERNAL_ID@"
# The body around its external id, which the load fills in per request.
BODY_HEAD, BODY_TAIL = orjson.dumps(
    {
        "sender": MESSAGE["sender"],
        "subject": MESSAGE["subject"],
        "body": MESSAGE["body"],
        "metadata": {"external_conversation_id": "chat-9f2c41", "external_id": _ID_PLACEHOLDER},
    }
).split(_ID_PLACEHOLDER.encode())


def body(external_id: str) -> bytes:
    return BODY_HEAD + external_id.encode() + BODY_TAIL


def channel_token() -> str:
    claims = {"iss": APP_UID, "sub": APP_CHANNEL, "jti": "bench", "exp": int(time.time()) + 3600}
    return jwt.encode(claims, APP_SECRET, algorithm="HS256")


def emulator_app() -> object:
    from emulator.app import create_app, create_store
    from emulator.config import Config
    from emulator.domain.creation_delay import CreationDelay

    config = Config(creation_delay=CreationDelay(0, 0), seed=1)
    store = create_store(config)
    channel = store.channel(APP_CHANNEL)
    assert channel is not None and channel.application == APP_UID
    store.replace_channel(replace(channel, settings=replace(channel.settings, message_imported_events=False)))
    return create_app(config, store)


def load(token: str) -> Load:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    lua = [
        'local run = "0"',
        "local counter = 0",
        "init = function(args) run = args[1] or run end",
        'wrk.method = "POST"',
        *(f'wrk.headers["{name}"] = {lua_string(value)}' for name, value in headers.items()),
        f"local head = {lua_string(BODY_HEAD.decode())}",
        f"local tail = {lua_string(BODY_TAIL.decode())}",
        "request = function()",
        "  counter = counter + 1",
        '  return wrk.format(nil, nil, nil, head .. "bench-" .. run .. "-" .. counter .. tail)',
        "end",
    ]
    return Load(
        INBOUND_PATH, "\n".join(lua) + "\n", lambda run, number: (headers, body(f"bench-{run}-{number}"))
    )


def main() -> None:
    token = channel_token()
    probe_headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def probe(url: str) -> httpx.Response:
        return httpx.post(url + INBOUND_PATH, content=body("probe"), headers=probe_headers)

    introduction = f"body {len(body('bench-1-1'))} bytes, one channel JWT of {len(token)} characters"
    route = Route("inbound_messages (channel JWT)", ROUTE, emulator_app, load(token), probe, introduction)
    compare(__file__, __doc__.splitlines()[0], route)


if __name__ == "__main__":
    main()
