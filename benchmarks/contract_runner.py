"""Contract-runner examples per second against the example live-chat bridge (tests/examples), or with
``--contract application`` against the example partner app (tests/examples/partner_app.py).

The integration runs under uvicorn in a process of its own, as an integration does, and answers at once;
the figure includes generating each Message (or app event) with Hypothesis, serialising and signing it,
the HTTP round trip and checking the answer. The integration is correct, so nothing is shrunk: this is the
steady rate of a passing run.

Two figures: per wall-clock second, and per second of the runner's CPU time, which a busy machine
disturbs much less: on a shared box, compare the second.

    .venv/bin/python benchmarks/contract_runner.py [--examples 300] [--scheme sha1-body]
    .venv/bin/python benchmarks/contract_runner.py --contract application [--examples 300]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time

from _common import REPOSITORY

from emulator.contract import ContractReport, run_application_contract, run_outgoing_contract

SECRET = "benchmark-secret"
BRIDGE = (
    "import sys, uvicorn\n"
    "from tests.examples.livechat_bridge import create_bridge\n"
    "app = create_bridge('http://127.0.0.1:9', 'unused-token', 'cha_1a01', sys.argv[2], sys.argv[3])\n"
    "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', access_log=False)\n"
)
PARTNER_APP = (
    "import sys, uvicorn\n"
    "from tests.examples.partner_app import PartnerApp\n"
    "app = PartnerApp('http://127.0.0.1:9', 'unused-uid', sys.argv[2], f'http://127.0.0.1:{sys.argv[1]}')\n"
    "uvicorn.run(app.asgi(), host='127.0.0.1', port=int(sys.argv[1]), log_level='warning',\n"
    "            access_log=False)\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(port: int, integration: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if integration.poll() is not None:
            raise SystemExit(f"the integration exited with status {integration.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the integration did not start listening within 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--scheme", default="sha1-body", choices=("sha1-body", "sha256-timestamp"))
    parser.add_argument("--contract", default="outgoing", choices=("outgoing", "application"))
    args = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    def run(examples: int, seed: int) -> ContractReport:
        if args.contract == "application":
            return run_application_contract(f"{base}/front", SECRET, examples=examples, seed=seed)
        return run_outgoing_contract(
            f"{base}/front/outgoing", SECRET, args.scheme, examples=examples, seed=seed
        )

    program = (
        [BRIDGE, str(port), SECRET, args.scheme]
        if args.contract == "outgoing"
        else [PARTNER_APP, str(port), SECRET]
    )
    integration = subprocess.Popen([sys.executable, "-c", *program], cwd=REPOSITORY)
    try:
        _wait_until_listening(port, integration)
        # Warm-up: the strategies are built and validated on first use.
        run(5, 99)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = run(args.examples, 0)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        integration.terminate()
        integration.wait(timeout=10)
    assert report.ok, report.format()
    signed = report.checks[0 if args.contract == "outgoing" else 1]
    print(
        f"contract runner ({args.contract}, {report.scheme}): {report.requests} requests in "
        f"{seconds:.2f} s = "
        f"{report.requests / seconds:.0f} examples/s, {report.requests / cpu_seconds:.0f} per CPU-second "
        f"({signed.examples} distinct signed messages of {args.examples} generated, "
        f"{report.requests - signed.examples} other events and forged requests)"
    )


if __name__ == "__main__":
    main()
