"""Throughput of POST /channels/cha_1a04/inbound_messages (channel JWT verified on every request) against
a bare Starlette endpoint and against incoming_messages (the custom channels' hot path), same run.

In-process through the ASGI apps (no sockets, no HTTP parsing), so the figures are the application's own
cost and the ratios are pessimistic: over HTTP the server's parsing adds the same time to every side.
Short batches alternate between the three, best of each, so other work on the machine disturbs all alike.
Each inbound request carries its own external_id (a repeated one is refused with 409).

    .venv/bin/python benchmarks/inbound_throughput.py [--count 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import jwt
import orjson
from _common import INCOMING_PATH, MESSAGE, TOKEN, AsgiClient

from emulator.app import create_app
from emulator.config import Config
from emulator.domain.creation_delay import CreationDelay

TARGET = 0.70
APP_CHANNEL = "cha_1a04"
INBOUND_PATH = f"/channels/{APP_CHANNEL}/inbound_messages"
APP_SECRET = "front-emulator-application-secret"
ROUNDS = 10


def bare_app() -> Any:
    """The yardstick: same route, parses the same JSON, answers 202 JSON, nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def inbound(request: Request) -> JSONResponse:
        document = await request.json()
        return JSONResponse({"status": "accepted", "message_uid": str(len(document))}, status_code=202)

    return Starlette(routes=[Route("/channels/{channel_id}/inbound_messages", inbound, methods=["POST"])])


def inbound_bodies(count: int, start: int) -> list[bytes]:
    sender = MESSAGE["sender"]
    return [
        orjson.dumps(
            {
                "sender": sender,
                "subject": MESSAGE["subject"],
                "body": MESSAGE["body"],
                "metadata": {
                    "external_id": f"bench-{start + index}",
                    "external_conversation_id": "chat-9f2c41",
                },
            }
        )
        for index in range(count)
    ]


async def drive(client: AsgiClient, path: str, bodies: list[bytes]) -> float:
    """Seconds per request through the client's app, as uvicorn would call it."""
    statuses = set()
    started = time.perf_counter()
    for body in bodies:
        status, _ = await client.request("POST", path, body)
        statuses.add(status)
    elapsed = time.perf_counter() - started
    if statuses != {202}:
        raise SystemExit(f"unexpected statuses {sorted(statuses)} on {path}")
    return elapsed / len(bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()
    batch = max(1, args.count // ROUNDS)

    # Rate limits are off by default (Config): the point is the route's own cost.
    config = Config(creation_delay=CreationDelay(0, 0), seed=1)
    emulator = create_app(config)
    bare = bare_app()
    # One token for the run, as an app reusing its JWT would send; verifying it is the same work each time.
    now = time.time()
    claims = {"iss": "app1a05", "sub": APP_CHANNEL, "jti": "bench", "exp": int(now) + 3600}
    with_jwt = AsgiClient(emulator, jwt.encode(claims, APP_SECRET, algorithm="HS256"))
    with_token = AsgiClient(emulator, TOKEN)
    to_bare = AsgiClient(bare, TOKEN)
    incoming = [orjson.dumps(MESSAGE)] * batch
    sent = 0

    def next_inbound() -> list[bytes]:
        nonlocal sent
        bodies = inbound_bodies(batch, sent)
        sent += batch
        return bodies

    # Warm up caches and lazily built state on every side.
    asyncio.run(drive(to_bare, INBOUND_PATH, incoming))
    asyncio.run(drive(with_token, INCOMING_PATH, incoming))
    asyncio.run(drive(with_jwt, INBOUND_PATH, next_inbound()))
    costs = {"bare": float("inf"), "incoming_messages": float("inf"), "inbound_messages+JWT": float("inf")}
    for _ in range(ROUNDS):
        costs["bare"] = min(costs["bare"], asyncio.run(drive(to_bare, INBOUND_PATH, incoming)))
        costs["incoming_messages"] = min(
            costs["incoming_messages"], asyncio.run(drive(with_token, INCOMING_PATH, incoming))
        )
        costs["inbound_messages+JWT"] = min(
            costs["inbound_messages+JWT"],
            asyncio.run(drive(with_jwt, INBOUND_PATH, next_inbound())),
        )
    for kind, cost in costs.items():
        print(f"{kind:>22}: {1 / cost:9.0f} requests/s ({cost * 1e6:6.1f} us each, in-process)")
    against_bare = costs["bare"] / costs["inbound_messages+JWT"]
    against_incoming = costs["incoming_messages"] / costs["inbound_messages+JWT"]
    verdict = "meets" if against_bare >= TARGET else "misses"
    print(f"inbound_messages+JWT / bare: {against_bare:.0%} ({verdict} the {TARGET:.0%} target, in-process)")
    print(f"inbound_messages+JWT / incoming_messages: {against_incoming:.0%}")
    created = emulator.state.store.message_count
    print(f"messages created: {created} (one per 202)")


if __name__ == "__main__":
    main()
