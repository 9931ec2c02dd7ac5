"""Paired HTTP load rounds: one route of the emulator against a bare Starlette endpoint, each server in its
own process, loaded by wrk (incoming_throughput.py, inbound_throughput.py).

Both servers run on the server `front-emulator serve` runs (uvicorn on uvloop with the bounded httptools
protocol of emulator/serving.py, no access log), so the comparison is between the two apps alone;
`--protocol httptools` runs both on uvicorn's plain protocol instead, to show what the bounds cost.

Two figures per round, both as emulator / bare:
- requests/s, what wrk saw (the issue's figure), which moves with whatever else the two cores run;
- CPU seconds the server process spent per answered request (from /proc), which is what a server with a
  core of its own would be limited by, and which other work on the machine disturbs far less.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from _common import REPOSITORY, free_port

TARGET = 0.70
CONNECTIONS = 32
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def bare_app(path: str) -> Any:
    """The yardstick: the same route, parses the same JSON, answers 202 JSON, nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def endpoint(request: Request) -> JSONResponse:
        document = await request.json()
        return JSONResponse({"status": "accepted", "message_uid": str(len(document))}, status_code=202)

    return Starlette(routes=[Route(path, endpoint, methods=["POST"])])


def serve(app: Any, port: int, args: argparse.Namespace) -> None:
    """Run `app` as `front-emulator serve` runs the emulator (emulator/serving.py's server_for and its
    garbage collector settings; `--gc default` keeps CPython's, for both servers alike)."""
    import uvicorn

    from emulator.config import Config
    from emulator.serving import bounded_protocol, tune_garbage_collector

    if args.gc == "tuned":
        tune_garbage_collector()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http=bounded_protocol(Config()) if args.protocol == "bounded" else "httptools",
        access_log=False,
        log_level="warning",
    )


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--protocol", choices=("bounded", "httptools"), default="bounded")
    parser.add_argument("--gc", choices=("tuned", "default"), default="tuned")
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "PORT"), help=argparse.SUPPRESS)
    return parser.parse_args()


class Server:
    """`<script> --serve KIND PORT --protocol P --gc G` in a subprocess."""

    def __init__(self, script: str, kind: str, args: argparse.Namespace) -> None:
        self.kind = kind
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, script, "--serve", kind, str(self.port)]
        command += ["--protocol", args.protocol, "--gc", args.gc]
        self.process = subprocess.Popen(command, cwd=REPOSITORY)

    def wait_ready(self, probe: Callable[[str], httpx.Response]) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = probe(self.url)
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"the {self.kind} server did not start") from None
                time.sleep(0.1)
                continue
            if answer.status_code != 202:
                raise RuntimeError(f"{self.kind}: expected 202, got {answer.status_code} {answer.text}")
            return

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Route:
    """One route of the emulator under load, and the bare endpoint it is held against."""

    name: str
    # The route's pattern, for the bare endpoint.
    pattern: str
    emulator_app: Callable[[], Any]
    load: Load
    # One request that must be answered 202, to know a server is ready.
    probe: Callable[[str], httpx.Response]
    # Printed before the rounds: what is sent.
    introduction: str


def compare(script: str, description: str, route: Route) -> None:
    """The whole benchmark of a script: `--serve` runs one of its servers, else both are loaded in paired
    rounds, the emulator's messages are counted, and the summary line is printed."""
    args = arguments(description)
    if args.serve:
        kind, port = args.serve
        serve(route.emulator_app() if kind == "emulator" else bare_app(route.pattern), int(port), args)
        return
    servers = {kind: Server(script, kind, args) for kind in ("emulator", "bare")}
    try:
        for server in servers.values():
            server.wait_ready(route.probe)
        print(route.introduction)
        tally = paired_rounds(servers, route.load, args)
        # +1: the readiness probe.
        check = created_messages_check(servers["emulator"].url, tally.answered["emulator"] + 1, args.rounds)
    finally:
        for server in servers.values():
            server.stop()
    print(check)
    print(summary(route.name, tally, args.rounds))


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is missing: installing it with apt-get ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    return shutil.which("wrk")


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


@dataclass
class Load:
    """How to load one route: a wrk Lua script, and the same requests for the httpx fallback."""

    path: str
    lua: str
    # The n-th request's (headers, body) of a run tagged `run`, for the fallback generator.
    request: Callable[[int, int], tuple[dict[str, str], bytes]]


class Tally:
    """Each server's requests/s and CPU per request by round, the rounds' ratios, the answers counted."""

    def __init__(self, kinds: list[str]) -> None:
        self.rates: dict[str, list[float]] = {kind: [] for kind in kinds}
        self.cpu_per_request: dict[str, list[float]] = {kind: [] for kind in kinds}
        self.answered = dict.fromkeys(kinds, 0)
        self.rate_ratios: list[float] = []
        self.cpu_ratios: list[float] = []


def _run_wrk(wrk: str, script: Path, url: str, seconds: float, run: int) -> tuple[float, int, int]:
    """(requests/s, responses, non-2xx responses); `run` is passed to the script's init(args)."""
    command = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{int(seconds)}s", "-s", str(script), url, "--", str(run)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        print(f"  wrk socket errors: {socket_errors.group(1)}")
    return rate, total, int(errors.group(1)) if errors else 0


async def _python_load(load: Load, url: str, seconds: float, run: int) -> tuple[int, int]:
    """Fallback when wrk cannot be had: httpx clients on one event loop (far weaker than wrk)."""
    done = failed = 0
    numbers = itertools.count(1)
    stop_at = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, failed
        while time.monotonic() < stop_at:
            headers, body = load.request(run, next(numbers))
            answer = await client.post(load.path, content=body, headers=headers)
            done += 1
            failed += answer.status_code != 202

    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONNECTIONS)))
    return done, failed


def _run_python(load: Load, url: str, seconds: float, run: int) -> tuple[float, int, int]:
    started = time.monotonic()
    done, failed = asyncio.run(_python_load(load, url, seconds, run))
    return done / (time.monotonic() - started), done, failed


def paired_rounds(servers: dict[str, Server], load: Load, args: argparse.Namespace) -> Tally:
    """Warm-up, then rounds alternating which server goes first; fails on any answer but 2xx."""
    wrk = ensure_wrk()
    if wrk is None:
        print("NOTE: wrk could not be installed; using the Python httpx load generator, which saturates")
        print("      before the servers do, so the ratio understates the gap between them.")
    tally = Tally(list(servers))
    runs = iter(range(1, 1_000_000))
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory) / "load.lua"
        script.write_text(load.lua)

        def one_run(server: Server, seconds: float) -> tuple[float, int, int, float]:
            run = next(runs)
            cpu_before = server.cpu_seconds()
            if wrk:
                rate, total, failed = _run_wrk(wrk, script, server.url + load.path, seconds, run)
            else:
                rate, total, failed = _run_python(load, server.url, seconds, run)
            if failed:
                raise SystemExit(f"{server.kind}: {failed} of {total} answers were not 2xx")
            tally.answered[server.kind] += total
            return rate, total, failed, (server.cpu_seconds() - cpu_before) / max(total, 1)

        generator = f"wrk -t1 -c{CONNECTIONS}" if wrk else f"httpx x{CONNECTIONS}"
        print(
            f"load: {generator}, {args.rounds} rounds of {args.seconds} s per server after {args.warmup} s "
            f"warm-up, both on the {args.protocol} protocol with {args.gc} gc settings; load average "
            f"{_load_average()}"
        )
        for server in servers.values():
            one_run(server, args.warmup)
        for number in range(1, args.rounds + 1):
            # Alternate which server goes first, so neither always runs on a warmer machine.
            order = list(servers) if number % 2 else list(reversed(servers))
            line = []
            for kind in order:
                rate, _, _, cpu = one_run(servers[kind], args.seconds)
                tally.rates[kind].append(rate)
                tally.cpu_per_request[kind].append(cpu)
                line.append(f"{kind} {rate:,.0f} req/s ({cpu * 1e6:.0f} us CPU each)")
            tally.rate_ratios.append(tally.rates["emulator"][-1] / tally.rates["bare"][-1])
            tally.cpu_ratios.append(tally.cpu_per_request["bare"][-1] / tally.cpu_per_request["emulator"][-1])
            print(
                f"round {number}: " + ", ".join(line) + f"; ratio {tally.rate_ratios[-1]:.0%} by req/s, "
                f"{tally.cpu_ratios[-1]:.0%} by CPU",
                flush=True,
            )
    print(f"load average at the end: {_load_average()}")
    return tally


def summary(route: str, tally: Tally, rounds: int) -> str:
    emulator = statistics.median(tally.rates["emulator"])
    bare = statistics.median(tally.rates["bare"])
    ratio = statistics.median(tally.rate_ratios)
    cpu_ratio = statistics.median(tally.cpu_ratios)
    cpu = {kind: statistics.median(values) * 1e6 for kind, values in tally.cpu_per_request.items()}
    verdict = "ok" if ratio >= TARGET else "BELOW TARGET"
    return (
        f"{route}: emulator {emulator:,.0f} req/s, bare {bare:,.0f} req/s, ratio {ratio:.0%} "
        f"(target >= {TARGET:.0%}) [{verdict}; medians of {rounds} rounds]; by CPU per request "
        f"{cpu['emulator']:.0f} vs {cpu['bare']:.0f} us, ratio {cpu_ratio:.0%}"
    )


def created_messages_check(url: str, answered: int, rounds: int) -> str:
    """The emulator holds one message per 202 it answered (wrk counts only the answers it read before its
    deadline: up to CONNECTIONS requests per run were answered, and created, after that)."""
    readiness = httpx.get(url + "/_emulator/readyz", timeout=10).json()
    created = readiness["messages"] + readiness["pending_messages"]
    if not answered <= created <= answered + CONNECTIONS * (rounds + 1):
        raise SystemExit(f"emulator holds {created} messages but answered {answered} 202s")
    return (
        f"messages created by the emulator: {readiness['messages']:,} (pending "
        f"{readiness['pending_messages']}), 202s counted by the load generator: {answered:,}"
    )


def _load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())
