"""Throughput of POST /channels/cha_1a01/incoming_messages against a bare Starlette endpoint, same run.

Each server runs alone on one uvicorn worker (uvloop + httptools, no access log) in its own subprocess,
loaded by wrk with one thread and 32 connections (the machine has two cores: one for the server, one for
wrk). Short rounds alternate between the two servers, and each round's ratio compares two runs seconds
apart, so other work on the machine disturbs both sides alike; the summary is the median round. The
emulator runs with creation delay 0 (it creates each message on the POST path), and the script checks at
the end that it holds one message per 202 it answered.

    .venv/bin/python benchmarks/incoming_throughput.py [--rounds 4] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from _common import INCOMING_PATH, MESSAGE, REPOSITORY, TOKEN, free_port

TARGET = 0.70
CONNECTIONS = 32
BODY = orjson.dumps(MESSAGE)
HEADERS = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json"}


# -- the two servers, each run as `incoming_throughput.py --serve emulator|bare PORT` -------------------


def bare_app() -> Any:
    """The yardstick: same route, parses the same JSON, answers 202 JSON, nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def incoming(request: Request) -> JSONResponse:
        document = await request.json()
        return JSONResponse({"status": "accepted", "message_uid": str(len(document))}, status_code=202)

    return Starlette(routes=[Route("/channels/{channel_id}/incoming_messages", incoming, methods=["POST"])])


def emulator_app() -> Any:
    from emulator.app import create_app
    from emulator.config import Config
    from emulator.domain.creation_delay import CreationDelay

    return create_app(Config(creation_delay=CreationDelay(0, 0), seed=1))


def serve(kind: str, port: int) -> None:
    import uvicorn

    from emulator.config import Config
    from emulator.serving import bounded_protocol

    app = emulator_app() if kind == "emulator" else bare_app()
    # Identical settings for both servers, except that the emulator runs on the protocol `front-emulator
    # serve` uses (httptools with its header size limit and read timeouts), so their cost is measured.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http=bounded_protocol(Config()) if kind == "emulator" else "httptools",
        workers=1,
        access_log=False,
        log_level="warning",
    )


class Server:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, str(self.port)], cwd=REPOSITORY
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.post(self.url + INCOMING_PATH, content=BODY, headers=HEADERS, timeout=2)
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"the {self.kind} server did not start") from None
                time.sleep(0.1)
                continue
            if answer.status_code != 202:
                raise RuntimeError(f"{self.kind}: expected 202, got {answer.status_code} {answer.text}")
            return

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# -- load generators ----------------------------------------------------------------------------------


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is missing: installing it with apt-get ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        if subprocess.run(["wrk", "--version"], check=False, capture_output=True).returncode == 1:
            return shutil.which("wrk")
    return shutil.which("wrk")


def wrk_lua(directory: Path) -> Path:
    def lua_string(text: str) -> str:
        return "[==[" + text + "]==]"

    script = directory / "post.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = {lua_string(BODY.decode())}"]
    lines += [f'wrk.headers["{name}"] = {lua_string(value)}' for name, value in HEADERS.items()]
    script.write_text("\n".join(lines) + "\n")
    return script


def run_wrk(wrk: str, script: Path, url: str, seconds: float) -> tuple[float, int, int]:
    """(requests/s, responses, non-2xx responses)."""
    command = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{int(seconds)}s", "-s", str(script), url + INCOMING_PATH]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        print(f"  wrk socket errors: {socket_errors.group(1)}")
    return rate, total, int(errors.group(1)) if errors else 0


async def _python_load(url: str, seconds: float) -> tuple[int, int]:
    """Fallback when wrk cannot be had: httpx clients on one event loop (far weaker than wrk)."""
    done = 0
    failed = 0
    stop_at = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, failed
        while time.monotonic() < stop_at:
            answer = await client.post(INCOMING_PATH, content=BODY, headers=HEADERS)
            done += 1
            failed += answer.status_code != 202

    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONNECTIONS)))
    return done, failed


def run_python(url: str, seconds: float) -> tuple[float, int, int]:
    started = time.monotonic()
    done, failed = asyncio.run(_python_load(url, seconds))
    return done / (time.monotonic() - started), done, failed


# -- the run ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return

    wrk = ensure_wrk()
    if wrk is None:
        print("NOTE: wrk could not be installed; using the Python httpx load generator, which saturates")
        print("      before the servers do, so the ratio understates the gap between them.")
    servers = {kind: Server(kind) for kind in ("emulator", "bare")}
    rates: dict[str, list[float]] = {kind: [] for kind in servers}
    ratios: list[float] = []
    answered = {kind: 0 for kind in servers}
    try:
        for server in servers.values():
            server.wait_ready()
        answered["emulator"] += 1  # the readiness probe
        with tempfile.TemporaryDirectory() as directory:
            script = wrk_lua(Path(directory)) if wrk else None

            def load(server: Server, seconds: float) -> tuple[float, int, int]:
                if wrk and script:
                    return run_wrk(wrk, script, server.url, seconds)
                return run_python(server.url, seconds)

            generator = f"wrk -t1 -c{CONNECTIONS}" if wrk else f"httpx x{CONNECTIONS}"
            print(
                f"load: {generator}, {args.rounds} rounds of {args.seconds} s per server after "
                f"{args.warmup} s warm-up; body {len(BODY)} bytes"
            )
            for kind, server in servers.items():
                _, total, failed = load(server, args.warmup)
                answered[kind] += total - failed
            for number in range(1, args.rounds + 1):
                # Alternate which server goes first, so neither always runs on a warmer machine.
                order = list(servers) if number % 2 else list(reversed(servers))
                line = []
                for kind in order:
                    rate, total, failed = load(servers[kind], args.seconds)
                    if failed:
                        raise SystemExit(f"{kind}: {failed} of {total} answers were not 2xx")
                    answered[kind] += total
                    rates[kind].append(rate)
                    line.append(f"{kind} {rate:,.0f} req/s")
                ratios.append(rates["emulator"][-1] / rates["bare"][-1])
                print(f"round {number}: " + ", ".join(line) + f", ratio {ratios[-1]:.0%}", flush=True)
        readiness = httpx.get(servers["emulator"].url + "/_emulator/readyz", timeout=10).json()
    finally:
        for server in servers.values():
            server.stop()

    created = readiness["messages"] + readiness["pending_messages"]
    # wrk counts only answers it read before its deadline: up to CONNECTIONS requests per run were
    # answered (and created) after that, uncounted.
    runs = args.rounds + 1
    if not answered["emulator"] <= created <= answered["emulator"] + CONNECTIONS * runs:
        raise SystemExit(f"emulator holds {created} messages but answered {answered['emulator']} 202s")
    print(
        f"messages created by the emulator: {readiness['messages']:,} "
        f"(pending {readiness['pending_messages']}), 202s counted by the load generator: "
        f"{answered['emulator']:,}"
    )
    emulator = statistics.median(rates["emulator"])
    bare = statistics.median(rates["bare"])
    ratio = statistics.median(ratios)
    verdict = "ok" if ratio >= TARGET else "BELOW TARGET"
    print(
        f"incoming_messages: emulator {emulator:,.0f} req/s, bare {bare:,.0f} req/s, "
        f"ratio {ratio:.0%} (target >= {TARGET:.0%}) [{verdict}; medians of {args.rounds} rounds]"
    )


if __name__ == "__main__":
    main()
