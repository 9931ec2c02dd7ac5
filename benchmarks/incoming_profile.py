"""Where the time of one POST incoming_messages goes, in-process and without the network.

Drives the ASGI apps directly (no HTTP parsing, no sockets), so the figures are the cost of the
application alone: the emulator against the bare Starlette endpoint of incoming_throughput.py, then
each step of the emulator's hot path on its own. `--profile` adds a cProfile of the emulator's path.

    .venv/bin/python benchmarks/incoming_profile.py [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
import timeit
from collections.abc import Callable
from typing import Any

import orjson
from _common import CHANNEL, INCOMING_PATH, MESSAGE, TOKEN, http_scope
from _http_load import bare_app

from emulator.api.incoming import incoming_from_document
from emulator.app import create_app
from emulator.config import Config
from emulator.domain.creation_delay import CreationDelay
from emulator.schemas import validator

BODY = orjson.dumps(MESSAGE)
RAW_HEADERS = [
    (b"host", b"127.0.0.1:8025"),
    (b"authorization", f"Bearer {TOKEN}".encode()),
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
]


async def drive(app: Any, count: int) -> float:
    """Seconds per request through `app`, as uvicorn would call it."""
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for _ in range(count):
        await app(http_scope("POST", INCOMING_PATH, RAW_HEADERS), receive, send)
    elapsed = time.perf_counter() - started
    if set(statuses) != {202}:
        raise SystemExit(f"unexpected statuses {sorted(set(statuses))}")
    return elapsed / count


def per_call(function: Callable[[], object], number: int = 20_000) -> float:
    return min(timeit.repeat(function, number=number, repeat=5)) / number


def emulator() -> Any:
    return create_app(Config(creation_delay=CreationDelay(0, 0), seed=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()

    apps = {"emulator": emulator(), "bare": bare_app("/channels/{channel_id}/incoming_messages")}
    for app in apps.values():
        asyncio.run(drive(app, 2_000))  # warm up caches and lazily built state
    # Short batches, alternating, best of each: other processes on the machine disturb both alike.
    costs = {kind: float("inf") for kind in apps}
    for _ in range(10):
        for kind, app in apps.items():
            costs[kind] = min(costs[kind], asyncio.run(drive(app, args.count // 10)))
    for kind, cost in costs.items():
        print(f"{kind:>9}: {cost * 1e6:6.1f} us per request through the ASGI app")
    print(f"    extra: {(costs['emulator'] - costs['bare']) * 1e6:6.1f} us per request for the emulator")

    app = apps["emulator"]
    store = app.state.store
    document = orjson.loads(BODY)
    custom_message = validator("custom-message")
    channel = store.channel(CHANNEL)
    steps: dict[str, Callable[[], object]] = {
        "token lookup": lambda: store.token(TOKEN),
        "channel lookup": lambda: store.channel(CHANNEL),
        "orjson.loads": lambda: orjson.loads(BODY),
        "jsonschema-rs is_valid": lambda: custom_message.is_valid(document),
        "IncomingMessage from document": lambda: incoming_from_document(document, []),
        "rate limiter check": lambda: store.rate_limiter.check(store.clock.now(), None),
        "orjson.dumps answer": lambda: orjson.dumps({"status": "accepted", "message_uid": "0" * 32}),
    }
    incoming = incoming_from_document(document, [])

    def accept_and_create() -> None:
        store.accept_incoming(channel, incoming)
        store.settle()

    steps["accept_incoming + settle"] = accept_and_create
    print("steps of the hot path, each alone:")
    for name, step in steps.items():
        print(f"  {name:<32} {per_call(step) * 1e6:6.2f} us")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(drive(app, args.count))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
