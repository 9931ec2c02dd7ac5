"""GET /messages/alt:uid:… latency with 1 000 and with 1 000 000 stored messages: it must stay flat.

Both stores are filled through the domain API (Store.accept_incoming + settle), then GETs for random
uids go through the whole ASGI app in-process (rate-limit middleware, router, handler, serialisation).
Batches alternate between the two apps so the machine's drift hits both alike. Bodies come from one
small pool for both stores, so Markdown rendering (cached per body) costs the same on both sides and the
comparison is about finding the message.

    .venv/bin/python benchmarks/uid_lookup_latency.py [--large 1000000] [--samples 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import time
from typing import Any

from _common import CHANNEL, AsgiClient, percentile

from emulator.app import create_app
from emulator.config import Config
from emulator.domain.creation_delay import CreationDelay
from emulator.domain.messages import IncomingMessage

TARGET = 0.9
BATCH = 250


def filled_app(count: int) -> tuple[Any, list[str]]:
    app = create_app(Config(creation_delay=CreationDelay(0, 0), seed=count))
    store = app.state.store
    channel = store.channel(CHANNEL)
    bodies = [f"Message body number {n}: where is my **order**? It has not arrived yet." for n in range(50)]
    uids = []
    gc.disable()  # filling only allocates; the collector would walk the growing store for nothing
    for number in range(count):
        incoming = IncomingMessage(
            sender_handle=f"visitor-{number % 5000}@example.test",
            body=bodies[number % len(bodies)],
            sender_name="Visitor",
            subject="Order",
            thread_ref=f"session-{number // 4}",
            headers={"x-page": "/checkout"},
        )
        uids.append(store.accept_incoming(channel, incoming))
        if number % 10_000 == 9_999:
            store.settle()
    store.settle()
    gc.enable()
    gc.collect()  # now, rather than as a long pause in the middle of the timed GETs
    assert store.message_count == count
    return app, uids


async def timed_gets(client: AsgiClient, uids: list[str], count: int, out: list[float]) -> None:
    for uid in random.sample(uids, count):
        started = time.perf_counter_ns()
        status, _ = await client.request("GET", f"/messages/alt:uid:{uid}")
        out.append((time.perf_counter_ns() - started) / 1000)
        if status != 200:
            raise SystemExit(f"GET alt:uid:{uid} answered {status}")


async def measure(clients: dict[str, tuple[AsgiClient, list[str]]], samples: int) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {name: [] for name in clients}
    for client, uids in clients.values():
        await timed_gets(client, uids, min(500, len(uids)), [])  # warm up
    for _ in range(samples // BATCH):
        for name, (client, uids) in clients.items():
            await timed_gets(client, uids, BATCH, latencies[name])
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=5_000)
    args = parser.parse_args()
    random.seed(1)

    clients = {}
    for name, count in (("small", args.small), ("large", args.large)):
        started = time.perf_counter()
        app, uids = filled_app(count)
        clients[name] = (AsgiClient(app), uids)
        print(f"filled {count:,} messages in {time.perf_counter() - started:.1f} s", flush=True)

    latencies = asyncio.run(measure(clients, args.samples))
    figures = {}
    for name, values in latencies.items():
        values.sort()
        figures[name] = (percentile(values, 0.5), percentile(values, 0.99))
        count = args.small if name == "small" else args.large
        print(
            f"{count:>9,} messages: p50 {figures[name][0]:6.1f} us, p99 {figures[name][1]:6.1f} us "
            f"({len(values):,} GETs)"
        )
    ratio_p50 = figures["small"][0] / figures["large"][0]
    ratio_p99 = figures["small"][1] / figures["large"][1]
    verdict = "ok" if ratio_p50 >= TARGET else "BELOW TARGET"
    print(
        f"uid_lookup: p50 {figures['small'][0]:.1f} us at {args.small:,} vs {figures['large'][0]:.1f} us at "
        f"{args.large:,} messages, ratio small/large {ratio_p50:.2f} (target >= {TARGET}) [{verdict}]; "
        f"p99 {figures['small'][1]:.1f} vs {figures['large'][1]:.1f} us, ratio {ratio_p99:.2f}"
    )


if __name__ == "__main__":
    main()
