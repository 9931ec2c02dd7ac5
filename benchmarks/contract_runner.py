"""Contract-runner examples per second against the example live-chat bridge (tests/examples).

The bridge runs under uvicorn in a process of its own, as an integration does, and answers at once; the
figure includes generating each Message with Hypothesis, serialising and signing it, the HTTP round trip
and checking the answer. The bridge is correct, so nothing is shrunk: this is the steady rate of a
passing run.

Two figures: per wall-clock second, and per second of the runner's CPU time, which a busy machine
disturbs much less: on a shared box, compare the second.

    .venv/bin/python benchmarks/contract_runner.py [--examples 300] [--scheme sha1-body]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time

from _common import REPOSITORY

from emulator.contract import run_outgoing_contract

SECRET = "benchmark-secret"
BRIDGE = (
    "import sys, uvicorn\n"
    "from tests.examples.livechat_bridge import create_bridge\n"
    "app = create_bridge('http://127.0.0.1:9', 'unused-token', 'cha_1a01', sys.argv[2], sys.argv[3])\n"
    "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', access_log=False)\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(port: int, bridge: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if bridge.poll() is not None:
            raise SystemExit(f"the bridge exited with status {bridge.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the bridge did not start listening within 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--scheme", default="sha1-body", choices=("sha1-body", "sha256-timestamp"))
    args = parser.parse_args()
    port = _free_port()
    bridge = subprocess.Popen(
        [sys.executable, "-c", BRIDGE, str(port), SECRET, args.scheme], cwd=REPOSITORY
    )
    url = f"http://127.0.0.1:{port}/front/outgoing"
    try:
        _wait_until_listening(port, bridge)
        # Warm-up: the strategies are built and validated on first use.
        run_outgoing_contract(url, SECRET, args.scheme, examples=5, seed=99)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = run_outgoing_contract(url, SECRET, args.scheme, examples=args.examples, seed=0)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        bridge.terminate()
        bridge.wait(timeout=10)
    assert report.ok, report.format()
    signed = report.checks[0]
    print(
        f"contract runner ({args.scheme}): {report.requests} requests in {seconds:.2f} s = "
        f"{report.requests / seconds:.0f} examples/s, {report.requests / cpu_seconds:.0f} per CPU-second "
        f"({signed.examples} distinct signed messages of {args.examples} generated, "
        f"{report.requests - signed.examples} forged)"
    )


if __name__ == "__main__":
    main()
