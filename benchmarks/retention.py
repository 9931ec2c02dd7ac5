"""Resident memory when integrations send or answer huge things, and after a reset: the request journal
and the delivery journal are bounded by bytes (32 MiB each) and let go on reset.

In a fresh process, the whole app in-process (as uvicorn would call it, see _common.AsgiClient):
1. 40 requests with a 10 MB header each (over HTTP `front-emulator serve` answers them 431 before the
   app sees them; in-process nothing stops them, so this is the journal's own bound at work);
2. 200 replies delivered to an integration answering 10 MB each (an httpx MockTransport);
3. POST /_emulator/reset.
RSS is printed after each step; the issue's figures before the bounds were 111 -> 517 MB for step 1 and
72 -> 443 MB for step 2, still 449 MB after the reset.

    .venv/bin/python benchmarks/retention.py
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from dataclasses import replace

import httpx
import orjson
from _common import CHANNEL, INCOMING_PATH, MESSAGE, AsgiClient, rss_bytes

HEADER_BYTES = 10 * 1024 * 1024
ANSWER_BYTES = 10 * 1024 * 1024


async def child() -> None:
    from emulator.app import create_app
    from emulator.config import Config
    from emulator.domain.creation_delay import CreationDelay
    from emulator.outbound.delivery import DeliveryEngine

    app = create_app(Config(creation_delay=CreationDelay(0, 0), seed=1))
    store = app.state.store
    client = AsgiClient(app)
    figures: dict[str, float] = {}
    gc.collect()
    figures["start"] = rss_bytes()

    plain_headers = list(client.headers)
    client.headers = [*plain_headers, (b"x-filler", b"h" * HEADER_BYTES)]
    for _ in range(40):
        status, _ = await client.request("POST", INCOMING_PATH, orjson.dumps(MESSAGE))
        assert status == 202
    client.headers = plain_headers
    gc.collect()
    figures["after_headers"] = rss_bytes()
    figures["journal_bytes"] = app.state.journal.retained_bytes

    answer = b'{"type": "success"}' + b" " * ANSWER_BYTES
    engine = DeliveryEngine(
        store,
        "http://127.0.0.1:8025",
        False,
        httpx.MockTransport(lambda request: httpx.Response(200, content=answer)),
    )
    channel = store.channel(CHANNEL)
    settings = replace(channel.settings, webhook_url="http://integration.test/outgoing")
    store.replace_channel(replace(channel, settings=settings))
    await engine.start()
    conversation_id = store.conversations()[0].id
    for sent in range(1, 201):
        status, body = await client.request(
            "POST", f"/conversations/{conversation_id}/messages", orjson.dumps({"body": "Hello"})
        )
        assert status == 202, body
        engine.wake()
        while len(store.deliveries) + store.outbox.dropped < sent:
            await asyncio.sleep(0.001)
    await engine.stop()
    gc.collect()
    figures["after_deliveries"] = rss_bytes()
    figures["delivery_bytes"] = store.outbox.retained_bytes
    figures["deliveries_kept"] = len(store.deliveries)

    status, _ = await client.request("POST", "/_emulator/reset")
    assert status == 204
    gc.collect()
    figures["after_reset"] = rss_bytes()

    print(orjson.dumps(figures).decode())


def main() -> None:
    if "--child" in sys.argv:
        asyncio.run(child())
        return
    output = subprocess.run(
        [sys.executable, __file__, "--child"], check=True, capture_output=True, text=True
    ).stdout
    figures = orjson.loads(output.strip().splitlines()[-1])
    mb = {key: value / 1e6 for key, value in figures.items()}
    print(
        f"retention: RSS {mb['start']:.0f} MB at start, {mb['after_headers']:.0f} MB after 40 requests "
        f"with 10 MB headers (journal holds {mb['journal_bytes']:.2f} MB), {mb['after_deliveries']:.0f} MB "
        "after 200 "
        f"deliveries answered 10 MB each (journal holds {mb['delivery_bytes']:.2f} MB in "
        f"{int(figures['deliveries_kept'])} deliveries), {mb['after_reset']:.0f} MB after a reset"
    )


if __name__ == "__main__":
    main()
