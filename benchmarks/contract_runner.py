"""Contract-runner examples per second against the example live-chat bridge (tests/examples).

The bridge runs under uvicorn in a thread of this process, so the figure includes generating each
Message with Hypothesis, serialising and signing it, the HTTP round trip and checking the answer. The
bridge is correct, so nothing is shrunk: this is the steady rate of a passing run.

    .venv/bin/python benchmarks/contract_runner.py [--examples 300] [--scheme sha1-body]
"""

from __future__ import annotations

import argparse
import time

import _common  # noqa: F401  (puts the checkout on sys.path)

from emulator.contract import run_outgoing_contract
from emulator.harness import LiveServer
from tests.examples.livechat_bridge import create_bridge

SECRET = "benchmark-secret"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--scheme", default="sha1-body", choices=("sha1-body", "sha256-timestamp"))
    args = parser.parse_args()
    server = LiveServer(create_bridge("http://127.0.0.1:9", "unused-token", "cha_1a01", SECRET, args.scheme))
    url = server.start() + "/front/outgoing"
    try:
        # Warm-up: Hypothesis and hypothesis-jsonschema build their strategies on first use.
        run_outgoing_contract(url, SECRET, args.scheme, examples=5, seed=99)
        started = time.perf_counter()
        report = run_outgoing_contract(url, SECRET, args.scheme, examples=args.examples, seed=0)
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    assert report.ok, report.format()
    signed = report.checks[0]
    print(
        f"contract runner ({args.scheme}): {report.requests} requests in {seconds:.2f} s = "
        f"{report.requests / seconds:.0f} examples/s "
        f"({signed.examples} distinct signed messages of {args.examples} generated, "
        f"{report.requests - signed.examples} forged)"
    )


if __name__ == "__main__":
    main()
