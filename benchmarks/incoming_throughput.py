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
from _http_load import Load, Route, compare, lua_string

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
    def probe(url: str) -> httpx.Response:
        return httpx.post(url + INCOMING_PATH, content=BODY, headers=HEADERS)

    route = Route("incoming_messages", ROUTE, emulator_app, load(), probe, f"body {len(BODY)} bytes")
    compare(__file__, __doc__.splitlines()[0], route)


if __name__ == "__main__":
    main()
