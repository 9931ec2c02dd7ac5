"""Seconds per snapshot and per restore at 50,000 messages, and how long `livez` waits meanwhile (target:
a snapshot <= 0.5 s).

The emulator runs as `front-emulator serve` does (emulator/serving.py) in a subprocess whose store is
filled directly with 50,000 inbound messages in 10,000 conversations (five per thread, as memory.py), plus
one outbound message (cancelled) per 100 conversations. This process then takes snapshots and restores
them over HTTP while a thread asks `GET /_emulator/livez` every 10 ms and records how long each answer took.

    .venv/bin/python benchmarks/snapshot.py [--messages 50000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time

import httpx
from _common import CHANNEL, REPOSITORY, free_port

TARGET_SECONDS = 0.5


def serve(port: int, count: int) -> None:
    from emulator.app import create_app, create_store
    from emulator.config import Config
    from emulator.domain.creation_delay import CreationDelay
    from emulator.domain.messages import IncomingMessage, Recipient, TeammateMessage
    from emulator.listening import listen
    from emulator.serving import server_for

    listener = listen("127.0.0.1", port)
    config = Config(port=port, creation_delay=CreationDelay(0, 0), seed=1)
    store = create_store(config)
    channel = store.channel(CHANNEL)
    assert channel is not None
    for number in range(count):
        incoming = IncomingMessage(
            sender_handle=f"visitor-{number % 20_000}@example.test",
            body=f"#{number:07d} Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
            thread_ref=f"chat-session-{number // 5}",
            headers={"x-request": str(number)},
        )
        store.accept_incoming(channel, incoming)
        store.settle()
    for conversation in store.conversations()[::100]:
        teammate = TeammateMessage(
            body="<p>On it</p>", recipients=(Recipient(conversation.contact.handle, "to"),)
        )
        # Cancelled in its undo window: outbound state to save, and nothing in flight to refuse a snapshot.
        store.outbox.cancel(store.add_outbound(channel, conversation, teammate, conversation.contact))
    app = create_app(config, store)
    server_for(app, config).run(sockets=[listener])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", nargs=2, type=int, metavar=("PORT", "MESSAGES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), str(args.messages)], cwd=REPOSITORY
    )
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for _ in range(1200):
                try:
                    client.get("/_emulator/livez")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            run(client, base, args.rounds)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(client: httpx.Client, base: str, rounds: int) -> None:
    latencies: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=base, timeout=120) as prober:
            while not stop.is_set():
                started = time.perf_counter()
                prober.get("/_emulator/livez").raise_for_status()
                latencies.append(time.perf_counter() - started)
                stop.wait(0.01)

    snapshot_seconds: list[float] = []
    restore_seconds: list[float] = []
    prober = threading.Thread(target=probe)
    prober.start()
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            taken = client.post("/_emulator/snapshot")
            snapshot_seconds.append(time.perf_counter() - started)
            assert taken.status_code == 201, taken.text
            started = time.perf_counter()
            restored = client.post(f"/_emulator/snapshots/{taken.json()['snapshot_id']}/restore")
            restore_seconds.append(time.perf_counter() - started)
            assert restored.status_code == 200, restored.text
        messages = taken.json()["messages"]
    finally:
        stop.set()
        prober.join()
    worst = max(snapshot_seconds)
    verdict = "ok" if worst <= TARGET_SECONDS else "MISSED"
    print(
        f"snapshot: {messages:,} messages, snapshot median {statistics.median(snapshot_seconds):.3f} s "
        f"(max {worst:.3f} s), restore median {statistics.median(restore_seconds):.3f} s "
        f"(max {max(restore_seconds):.3f} s); livez during them: median "
        f"{statistics.median(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms over "
        f"{len(latencies)} probes (target: snapshot <= {TARGET_SECONDS} s) [{verdict}]"
    )


if __name__ == "__main__":
    main()
