"""Resident memory of the emulator holding 100 000 messages with 200-byte bodies (target <= 300 MB).

Runs the measurement in a fresh Python process, so nothing else this script did is counted: RSS once
the app is built, then after 100 000 messages went through the same steps as over HTTP (orjson parse of
a distinct JSON document, IncomingMessage, Store.accept_incoming, settle), then the difference per
message.

    .venv/bin/python benchmarks/memory.py [--messages 100000]
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys

import orjson
from _common import CHANNEL, MESSAGE, rss_bytes

TARGET_MB = 300
BODY_BYTES = 200


def child(count: int) -> None:
    from emulator.api.incoming import incoming_from_document
    from emulator.app import create_app
    from emulator.config import Config
    from emulator.domain.creation_delay import CreationDelay

    app = create_app(Config(creation_delay=CreationDelay(0, 0), seed=1))
    store = app.state.store
    channel = store.channel(CHANNEL)
    gc.collect()
    before = rss_bytes()
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4
    for number in range(count):
        # Each message distinct, as real traffic is: its own body text, sender, thread and header values.
        body = f"#{number:07d} {filler}"[:BODY_BYTES]
        document = {
            **MESSAGE,
            "sender": {
                "handle": f"visitor-{number % 20_000}@example.test",
                "name": f"Visitor {number % 20_000}",
            },
            "body": body,
            "metadata": {"thread_ref": f"chat-session-{number // 5}", "headers": {"x-request": str(number)}},
        }
        parsed = orjson.loads(orjson.dumps(document))
        store.accept_incoming(channel, incoming_from_document(parsed, []))
        store.settle()
    assert store.message_count == count and len(body.encode()) == BODY_BYTES
    gc.collect()
    after = rss_bytes()
    print(orjson.dumps({"before": before, "after": after, "count": count}).decode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.messages)
        return
    output = subprocess.run(
        [sys.executable, __file__, "--child", "--messages", str(args.messages)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = orjson.loads(output.strip().splitlines()[-1])
    before, after, count = figures["before"] / 1e6, figures["after"] / 1e6, figures["count"]
    per_message = (figures["after"] - figures["before"]) / count
    verdict = "ok" if after <= TARGET_MB else "OVER TARGET"
    print(f"RSS with the app built and no messages: {before:.1f} MB")
    print(
        f"memory: RSS {after:.1f} MB with {count:,} messages of {BODY_BYTES}-byte bodies "
        f"(+{after - before:.1f} MB, {per_message:,.0f} bytes per message; "
        f"target <= {TARGET_MB} MB) [{verdict}]"
    )


if __name__ == "__main__":
    main()
