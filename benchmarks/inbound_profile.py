"""Where the time of one POST /channels/cha_1a04/inbound_messages goes, in-process: against the bare
endpoint and incoming_messages, with one reused channel JWT and with a fresh JWT on every request.

Through the ASGI apps (no sockets, no HTTP parsing), so the figures are the application's own cost and the
ratios are pessimistic: over HTTP the server's parsing adds the same time to every side (the figure to
hold against the target is inbound_throughput.py's). Short batches alternate, best of each, so other work
on the machine disturbs all alike. Each inbound request carries its own external_id (a repeated one is
refused with 409). An app that signs a new token for every request (Front's partner-channel template
does) pays the signature check each time: the verified-token cache of emulator/api/channel_jwt.py only
helps a token that is reused.

    .venv/bin/python benchmarks/inbound_profile.py [--count 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import pstats
import time

import jwt
import orjson
from _common import INCOMING_PATH, MESSAGE, TOKEN, AsgiClient
from _http_load import TARGET, bare_app
from inbound_throughput import APP_CHANNEL, APP_SECRET, APP_UID, INBOUND_PATH, body

from emulator.app import create_app
from emulator.config import Config
from emulator.domain.creation_delay import CreationDelay

ROUNDS = 10


def token(jti: str) -> str:
    claims = {"iss": APP_UID, "sub": APP_CHANNEL, "jti": jti, "exp": int(time.time()) + 3600}
    return jwt.encode(claims, APP_SECRET, algorithm="HS256")


async def drive(clients: list[AsgiClient], path: str, bodies: list[bytes]) -> float:
    """Seconds per request, the n-th body sent by the n-th client (cycling), as uvicorn would call the app."""
    statuses = set()
    started = time.perf_counter()
    for client, request_body in zip(itertools.cycle(clients), bodies, strict=False):
        status, _ = await client.request("POST", path, request_body)
        statuses.add(status)
    elapsed = time.perf_counter() - started
    if statuses != {202}:
        raise SystemExit(f"unexpected statuses {sorted(statuses)} on {path}")
    return elapsed / len(bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="add a cProfile of the reused-token path")
    args = parser.parse_args()
    batch = max(1, args.count // ROUNDS)

    # Rate limits are off by default (Config): the point is the route's own cost.
    emulator = create_app(Config(creation_delay=CreationDelay(0, 0), seed=1))
    bare = bare_app("/channels/{channel_id}/inbound_messages")
    reused = [AsgiClient(emulator, token("bench"))]
    numbers = itertools.count(1)

    def inbound() -> list[bytes]:
        return [body(f"bench-{next(numbers)}") for _ in range(batch)]

    def fresh_tokens() -> list[AsgiClient]:
        # Signed before the clock starts: only the emulator's verification is timed.
        return [AsgiClient(emulator, token(f"fresh-{next(numbers)}")) for _ in range(batch)]

    incoming = [orjson.dumps(MESSAGE)] * batch
    sides = {
        "bare": lambda: drive([AsgiClient(bare)], INBOUND_PATH, inbound()),
        "incoming_messages": lambda: drive([AsgiClient(emulator, TOKEN)], INCOMING_PATH, incoming),
        "inbound, one reused JWT": lambda: drive(reused, INBOUND_PATH, inbound()),
        "inbound, a JWT per request": lambda: drive(fresh_tokens(), INBOUND_PATH, inbound()),
    }
    for side in sides.values():  # warm up caches and lazily built state on every side
        asyncio.run(side())
    costs = dict.fromkeys(sides, float("inf"))
    for _ in range(ROUNDS):
        for kind, side in sides.items():
            costs[kind] = min(costs[kind], asyncio.run(side()))
    for kind, cost in costs.items():
        ratio = costs["bare"] / cost
        print(f"{kind:>27}: {cost * 1e6:6.1f} us per request in-process, {ratio:4.0%} of bare")
    against_bare = costs["bare"] / costs["inbound, one reused JWT"]
    verdict = "meets" if against_bare >= TARGET else "misses"
    print(
        f"inbound_messages (one reused JWT) / bare: {against_bare:.0%} in-process ({verdict} "
        f"{TARGET:.0%}; the target is for the HTTP figure of inbound_throughput.py)"
    )
    print(f"messages created: {emulator.state.store.message_count} (one per 202)")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(drive(reused, INBOUND_PATH, [body(f"bench-{next(numbers)}") for _ in range(args.count)]))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
