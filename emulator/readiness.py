"""`front-emulator readyz`: is the emulator at a URL ready, and is it the one this CI job started?

A CI job must never pass its readiness check while its own server is dead: when the port is taken, the
server exits, but whatever holds the port still answers. So an answer counts only if it carries the
emulator's headers, and with `pid` only if the process that answers is `pid` or one of its children (a
wrapper such as `uv run` starts the server as a child). The process is checked before every poll, so
its death ends the wait at once.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

# Sent by GET /_emulator/readyz (emulator/control/routes.py).
VERSION_HEADER = "x-front-emulator-version"
PID_HEADER = "x-front-emulator-pid"
# A proxy in front of an emulator that is still starting answers these; worth waiting through.
GATEWAY_STATUSES = {502, 503, 504}
POLL_SECONDS = 0.1
PROC = Path("/proc")


class NotReady(Exception):
    """The emulator will not become ready by waiting longer; the message says why, in one line."""


def wait_until_ready(url: str, wait: float, pid: int | None) -> None:
    """Return once a front-emulator (run by process `pid`, if given) answers `url`; raise otherwise."""
    deadline = time.monotonic() + wait
    last_problem = "no answer"
    while True:
        if pid is not None:
            _check_running(pid)
        try:
            answer = httpx.get(url, timeout=2)
        except httpx.HTTPError as error:
            last_problem = str(error) or type(error).__name__
        else:
            problem = _judge(url, answer, pid)
            if problem is None:
                return
            last_problem = problem
        if time.monotonic() >= deadline:
            raise NotReady(f"not ready after {wait:g} s: {url}: {last_problem}")
        time.sleep(POLL_SECONDS)


def _judge(url: str, answer: httpx.Response, pid: int | None) -> str | None:
    """None if `answer` says ready; a passing problem to wait through; NotReady for a lasting one."""
    version = answer.headers.get(VERSION_HEADER)
    if version is None:
        if answer.status_code in GATEWAY_STATUSES:
            return f"HTTP {answer.status_code}"
        raise NotReady(
            f"not ready: {url} is answered by something other than a front-emulator ({_describe(answer)})"
        )
    if pid is not None:
        answering = answer.headers.get(PID_HEADER, "")
        if not (answering.isdigit() and _descends_from(int(answering), pid)):
            raise NotReady(
                f"not ready: {url} is answered by another front-emulator "
                f"(process {answering or 'unknown'}), not by process {pid}"
            )
    if answer.status_code != 200:
        return f"HTTP {answer.status_code}"
    return None


def _describe(answer: httpx.Response) -> str:
    """Status, server header and the start of the body: enough to recognise what holds the port."""
    parts = [f"HTTP {answer.status_code}"]
    if server := answer.headers.get("server"):
        parts.append(f"server: {server}")
    body = " ".join(answer.text.split())
    if body:
        parts.append(body if len(body) <= 120 else body[:117] + "...")
    return ", ".join(parts)


def _check_running(pid: int) -> None:
    """Raise NotReady if process `pid` has exited, with its exit status when it is still readable."""
    fields = _stat_fields(pid)
    if fields is None:
        if PROC.is_dir() or not _signalable(pid):
            raise NotReady(
                f"not ready: server process {pid} is not running "
                "(its exit status is known only to the shell that started it)"
            )
        return
    # A zombie has exited and waits for its parent to collect the status, which Linux still shows.
    if fields[0] in ("Z", "X"):
        raise NotReady(f"not ready: server process {pid} {_exit_status(fields)}")


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat from the state on (field 3), or None when there is no such process."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    return text.rsplit(")", 1)[1].split()


def _signalable(pid: int) -> bool:
    """Whether `pid` exists, where there is no /proc to read (macOS)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exit_status(fields: list[str]) -> str:
    # Field 52, exit_code, in the form waitpid(2) reports (Linux 3.5+).
    if len(fields) < 50:
        return "has exited"
    status = int(fields[49])
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"was killed by {signal.Signals(number).name}"
        except ValueError:
            return f"was killed by signal {number}"
    return f"exited with status {os.WEXITSTATUS(status)}"


def _descends_from(pid: int, ancestor: int) -> bool:
    """Whether `pid` is `ancestor` or its (grand)child, following parent ids through /proc."""
    for _ in range(64):
        if pid == ancestor:
            return True
        fields = _stat_fields(pid)
        if fields is None or pid <= 1:
            return False
        pid = int(fields[1])
    return False
