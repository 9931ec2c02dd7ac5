"""With creation delay 0, how long after its 202 is a message readable through GET /messages/alt:uid:…?

In-process through the whole ASGI app with the real clock: POST a message, and from the moment the 202
is in hand, GET its uid alias until it answers 200. The figure is the time from the 202 to that 200
(target: p99 <= 5 ms). The store already holds some messages, as a test run's would.

    .venv/bin/python benchmarks/creation_latency.py [--messages 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import orjson
from _common import INCOMING_PATH, MESSAGE, AsgiClient, percentile

from emulator.app import create_app
from emulator.config import Config
from emulator.domain.creation_delay import CreationDelay

TARGET_MS = 5.0
PREFILL = 10_000


async def measure(client: AsgiClient, count: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    retries = 0
    for number in range(PREFILL + count):
        body = orjson.dumps({**MESSAGE, "body": f"message {number}"})
        status, answer = await client.request("POST", INCOMING_PATH, body)
        accepted_at = time.perf_counter_ns()
        if status != 202:
            raise SystemExit(f"POST answered {status}: {answer!r}")
        path = "/messages/alt:uid:" + orjson.loads(answer)["message_uid"]
        while True:
            status, _ = await client.request("GET", path)
            if status == 200:
                break
            if status != 404:
                raise SystemExit(f"GET {path} answered {status}")
            retries += 1
            await asyncio.sleep(0)
        if number >= PREFILL:
            latencies.append((time.perf_counter_ns() - accepted_at) / 1e6)
    return latencies, retries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3_000)
    args = parser.parse_args()
    app = create_app(Config(creation_delay=CreationDelay(0, 0), seed=1))
    latencies, retries = asyncio.run(measure(AsgiClient(app), args.messages))
    latencies.sort()
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    verdict = "ok" if p99 <= TARGET_MS else "OVER TARGET"
    print(
        f"{len(latencies):,} messages after {PREFILL:,} already stored; "
        f"GETs that found nothing yet: {retries}"
    )
    print(
        f"creation_latency: 202 -> readable p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {latencies[-1]:.3f} ms "
        f"(target p99 <= {TARGET_MS:g} ms) [{verdict}]"
    )


if __name__ == "__main__":
    main()
