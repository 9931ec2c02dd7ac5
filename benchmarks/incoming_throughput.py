"""Throughput of POST /channels/cha_1a01/incoming_messages against a bare Starlette endpoint, same run.

Each server runs alone on one uvicorn worker in its own subprocess, on the server `front-emulator serve`
runs (see _http_load.py), loaded by wrk with one thread and 32 connections (the machine has two cores:
one for the server, one for wrk). Short rounds alternate between the two servers, and each round's ratio
compares two runs seconds apart, so other work on the machine disturbs both sides alike; the summary is
the median round. The emulator runs with creation delay 0 (it creates each message on the POST path), and
the script checks at the end that it holds one message per 202 it answered.

    .venv/bin/python benchmarks/incoming_throughput.py [--rounds 7] [--seconds 4] [--protocol httptools]
"""

from __future__ import annotations

import httpx
import orjson
from _common import INCOMING_PATH, MESSAGE, TOKEN
from _http_load import (
    Load,
    Server,
    arguments,
    bare_app,
    created_messages_check,
    lua_string,
    paired_rounds,
    serve,
    summary,
)

BODY = orjson.dumps(MESSAGE)
HEADERS = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
ROUTE = "/channels/{channel_id}/incoming_messages"


def emulator_app() -> object:
    from emulator.app import create_app
    from emulator.config import Config
    from emulator.domain.creation_delay import CreationDelay

    return create_app(Config(creation_delay=CreationDelay(0, 0), seed=1))


def load() -> Load:
    lines = ['wrk.method = "POST"', f"wrk.body = {lua_string(BODY.decode())}"]
    lines += [f'wrk.headers["{name}"] = {lua_string(value)}' for name, value in HEADERS.items()]
    return Load(INCOMING_PATH, "\n".join(lines) + "\n", lambda run, number: (HEADERS, BODY))


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    if args.serve:
        kind, port = args.serve
        serve(emulator_app() if kind == "emulator" else bare_app(ROUTE), int(port), args.protocol)
        return
    servers = {kind: Server(__file__, kind, args.protocol) for kind in ("emulator", "bare")}
    try:
        for server in servers.values():
            server.wait_ready(lambda url: httpx.post(url + INCOMING_PATH, content=BODY, headers=HEADERS))
        print(f"body {len(BODY)} bytes")
        tally = paired_rounds(servers, load(), args)
        # +1: the readiness probe.
        check = created_messages_check(servers["emulator"].url, tally.answered["emulator"] + 1, args.rounds)
    finally:
        for server in servers.values():
            server.stop()
    print(check)
    print(summary("incoming_messages", tally, args.rounds))


if __name__ == "__main__":
    main()
