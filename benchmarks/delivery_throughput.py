"""Outbound deliveries per second, and latency from a reply's 202 to the integration having the request.

The emulator runs as `front-emulator serve` in its own process (real clock, default settings); the
integration is a raw asyncio HTTP/1.1 server on 127.0.0.1 in a thread of this process that answers
{"type":"success"} at once and notes when each message id arrives. The channel's undo-send time is 0,
so every reply is due at once.

Two phases, both replying to 200 conversations on one channel:
  idle   -- replies one after another (the next once the previous reached the integration): latency alone;
  loaded -- 2 000 replies from 32 concurrent clients: deliveries/s, and latency with a backlog.
Latency is `receiver arrival - client got 202` on one monotonic clock; the delivery can start before the
client has read its 202, so a few values are (clipped to) 0.

    .venv/bin/python benchmarks/delivery_throughput.py [--replies 2000] [--conversations 200]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import threading
import time

import httpx
import orjson
from _common import CHANNEL, TOKEN, percentile

SUCCESS = b'{"type":"success"}'
ANSWER = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(SUCCESS)).encode()
    + b"\r\n\r\n"
    + SUCCESS
)
HEADERS = {"authorization": f"Bearer {TOKEN}"}
AUTHOR = "tea_1b01"
DEADLINE_SECONDS = 100


class Integration:
    """Minimal keep-alive HTTP/1.1 server: reads a request, records (message id, arrival), answers success."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.requests = 0
        self.duplicates = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> str:
        self.thread.start()
        self.ready.wait(10)
        return f"http://127.0.0.1:{self.port}/front/outgoing"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                arrived = time.perf_counter()
                message_id = orjson.loads(body)["id"]
                self.requests += 1
                if message_id in self.arrivals:
                    self.duplicates += 1
                self.arrivals.setdefault(message_id, arrived)
                writer.write(ANSWER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


class Emulator:
    """`front-emulator serve` in its own process, as users run it, so the figures are the emulator's own."""

    def __init__(self) -> None:
        command = [sys.executable, "-c", "from emulator.cli import main; main()", "serve", "--port", "0"]
        self.process = subprocess.Popen([*command, "--seed", "1"], stdout=subprocess.PIPE, text=True)

    def start(self) -> str:
        assert self.process.stdout is not None
        first_line = self.process.stdout.readline()
        match = re.search(r"http://[\d.:]+", first_line)
        if match is None:
            raise RuntimeError(f"front-emulator serve did not announce its URL: {first_line!r}")
        return match.group(0)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


async def reply(client: httpx.AsyncClient, conversation_id: str, n: int) -> tuple[str, float]:
    """(message uid, when the 202 was in hand)."""
    answer = await client.post(
        f"/conversations/{conversation_id}/messages", json={"body": f"<p>Reply {n}</p>", "author_id": AUTHOR}
    )
    accepted = time.perf_counter()
    if answer.status_code != 202:
        raise RuntimeError(f"reply answered {answer.status_code}: {answer.text}")
    return answer.json()["message_uid"], accepted


async def message_ids(client: httpx.AsyncClient, uids: list[str]) -> list[str]:
    ids = []
    for uid in uids:
        ids.append((await client.get(f"/messages/alt:uid:{uid}")).json()["id"])
    return ids


async def wait_for(integration: Integration, count: int, deadline: float) -> None:
    while len(integration.arrivals) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the integration got {len(integration.arrivals)} of {count} deliveries")
        await asyncio.sleep(0.002)


def latencies_ms(accepted: dict[str, float], ids: dict[str, str], integration: Integration) -> list[float]:
    return sorted(max(0.0, (integration.arrivals[ids[uid]] - at) * 1000) for uid, at in accepted.items())


async def run(base: str, integration: Integration, replies: int, conversations: int, idle: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, limits=limits, timeout=30) as client:
        settings = {"webhook_url": integration_url, "undo_send_time": 0}
        (await client.patch(f"/channels/{CHANNEL}", json={"settings": settings})).raise_for_status()
        conversation_ids = []
        for n in range(conversations):
            answer = await client.post(
                f"/channels/{CHANNEL}/incoming_messages",
                json={"sender": {"handle": f"visitor-{n}"}, "body": "Hello, anyone there?"},
            )
            message = (await client.get(f"/messages/alt:uid:{answer.json()['message_uid']}")).json()
            conversation_ids.append(message["_links"]["related"]["conversation"].rsplit("/", 1)[1])

        # Idle: one reply at a time.
        idle_accepted: dict[str, float] = {}
        for n in range(idle):
            uid, at = await reply(client, conversation_ids[n % conversations], n)
            idle_accepted[uid] = at
            await wait_for(integration, n + 1, deadline)
        idle_ids = dict(zip(idle_accepted, await message_ids(client, list(idle_accepted)), strict=True))

        # Loaded: `replies` replies from 32 concurrent clients.
        loaded_accepted: dict[str, float] = {}
        queue = iter(range(replies))

        async def worker() -> None:
            for n in queue:
                uid, at = await reply(client, conversation_ids[n % conversations], idle + n)
                loaded_accepted[uid] = at

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(32)))
        posted = time.perf_counter() - started
        await wait_for(integration, idle + replies, deadline)
        elapsed = time.perf_counter() - started
        last_arrival = max(integration.arrivals.values())
        loaded_ids = dict(zip(loaded_accepted, await message_ids(client, list(loaded_accepted)), strict=True))

        # Every message sent exactly once; the journal agrees.
        journal = (await client.get("/_emulator/deliveries", params={"outcome": "sent"})).json()["_results"]
        total = idle + replies
        problems = []
        if integration.duplicates or integration.requests != total:
            problems.append(f"integration got {integration.requests} requests for {total} messages")
        if len(journal) != total:
            problems.append(f"journal has {len(journal)} sent deliveries for {total} messages")
        if problems:
            raise RuntimeError("; ".join(problems))

    idle_ms = latencies_ms(idle_accepted, idle_ids, integration)
    loaded_ms = latencies_ms(loaded_accepted, loaded_ids, integration)
    rate = replies / (last_arrival - started)
    print(
        f"delivery: {replies} replies over {conversations} conversations in {elapsed:.2f} s -> "
        f"{rate:,.0f} deliveries/s (replies posted in {posted:.2f} s); reply 202 -> integration has it: "
        f"idle p50 {percentile(idle_ms, 0.5):.2f} ms p99 {percentile(idle_ms, 0.99):.2f} ms "
        f"({idle} replies), "
        f"loaded p50 {percentile(loaded_ms, 0.5):.1f} ms p99 {percentile(loaded_ms, 0.99):.1f} ms"
    )


integration_url = ""


def main() -> None:
    global integration_url
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=2000)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--idle", type=int, default=300, help="replies sent one at a time first")
    args = parser.parse_args()
    integration = Integration()
    integration_url = integration.start()
    emulator = Emulator()
    base = emulator.start()
    try:
        asyncio.run(run(base, integration, args.replies, args.conversations, args.idle))
    finally:
        emulator.stop()
        integration.loop.call_soon_threadsafe(integration.loop.stop)


if __name__ == "__main__":
    main()
