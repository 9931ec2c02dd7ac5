"""The `front-emulator` command as CI runs it: `serve` with its flags, `readyz`, `--version`, `contract`."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.lookalike import READYZ_LOOKALIKE, lookalike_server

COMMAND = str(Path(sys.executable).parent / "front-emulator")
TOKEN = "front-emulator-token"


def _env() -> dict[str, str]:
    """The caller's environment without FRONT_EMULATOR_* settings, so only the flags count."""
    return {key: value for key, value in os.environ.items() if not key.startswith("FRONT_EMULATOR_")}


class Served:
    def __init__(self, process: subprocess.Popen[str], lines: list[str]) -> None:
        self.process = process
        self.lines = lines
        self.base = lines[0].split()[-1]
        self.output = "".join(lines)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)


def _pump(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


@contextmanager
def serving(*flags: str, cwd: Path, through_a_shell: bool = False) -> Iterator[Served]:
    """`front-emulator serve --port 0 FLAGS`, until its announcement is printed; stopped afterwards.

    `through_a_shell` starts it as the child of a bash that waits for it, as wrappers like `uv run` do.
    """
    command = [COMMAND, "serve", "--port", "0", *flags]
    if through_a_shell:
        command = ["bash", "-c", '"$@"; exit $?', "bash", *command]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    pump = threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True)
    pump.start()
    try:
        seen: list[str] = []
        while not seen or not seen[-1].lstrip().startswith("Try:"):
            line = lines.get(timeout=30)
            if line is None:
                raise AssertionError(f"serve exited with {process.wait()}: {process.stderr.read()}")  # type: ignore[union-attr]
            seen.append(line)
        yield Served(process, seen)
    finally:
        # The whole process group: a shell that is signalled does not pass the signal on to its child.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # Closed once the pump has read to the end: no ResourceWarning, no read on a closed file.
        pump.join(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]


def _run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, *arguments], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=60
    )


def _post(
    client: httpx.Client, channel: str = "cha_1a01", handle: str = "ada@example.test"
) -> httpx.Response:
    return client.post(
        f"/channels/{channel}/incoming_messages", json={"sender": {"handle": handle}, "body": "hi"}
    )


def test_serve_prints_base_url_channels_and_token(tmp_path: Path) -> None:
    with serving(cwd=tmp_path) as served:
        assert served.lines[0].startswith("front-emulator listening on http://127.0.0.1:")
        port = int(served.base.rsplit(":", 1)[1])
        assert port > 0
        assert f"API base URL:   {served.base}\n" in served.output
        assert f"API token:      {TOKEN}\n" in served.output
        assert "API secret:     front-emulator-api-secret\n" in served.output
        assert "Creation delay: 0 s\n" in served.output
        for channel, kind, address in [
            ("cha_1a01", "custom", "livechat@example.test"),
            ("cha_1a02", "custom", "+15550100000"),
            ("cha_1a03", "smtp", "support@example.test"),
            ("cha_1a04", "custom", "partner-chat"),
        ]:
            assert any(line.split()[:3] == [channel, kind, address] for line in served.lines), served.output
        application = "  Application:    app1a05 (Partner chat app) secret front-emulator-application-secret"
        assert f"{application}, channels: cha_1a04\n" in served.output
        with served.client() as client:
            assert client.get("/_emulator/readyz").json()["status"] == "ready"
            channels = client.get("/channels").json()["_results"]
            assert [channel["id"] for channel in channels] == ["cha_1a01", "cha_1a02", "cha_1a03", "cha_1a04"]
            assert channels[0]["_links"]["self"] == f"{served.base}/channels/cha_1a01"


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on `port`, from the kernel's socket table."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


def test_serve_binds_to_loopback_by_default(tmp_path: Path) -> None:
    with serving(cwd=tmp_path) as served:
        port = int(served.base.rsplit(":", 1)[1])
        # 0100007F is 127.0.0.1 as the kernel prints it; nothing listens on 0.0.0.0 or another interface.
        assert _listening_addresses(port) == {"0100007F"}


WORKSPACE_YAML = """\
api_secret: yaml-secret
channels:
  - id: cha_9z01
    name: Partner chat
    address: partner@example.test
    settings:
      undo_send_time: 10
  - id: cha_9z02
    address: "+15550109999"
tokens:
  - token: yaml-token-0001
    scopes: ["*"]
  - token: yaml-read-only
    scopes: [messages:read]
teammates:
  - id: tea_9t01
    email: lin@example.test
"""


def test_serve_with_a_yaml_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(WORKSPACE_YAML)
    with serving("--workspace", str(workspace), cwd=tmp_path) as served:
        assert "API token:      yaml-token-0001\n" in served.output
        assert "API secret:     yaml-secret\n" in served.output
        assert any(
            line.split()[:3] == ["cha_9z01", "custom", "partner@example.test"] for line in served.lines
        )
        assert any(line.split()[:3] == ["cha_9z02", "custom", "+15550109999"] for line in served.lines)
        assert "cha_1a01" not in served.output
        headers = {"Authorization": "Bearer yaml-token-0001"}
        with httpx.Client(base_url=served.base, headers=headers, timeout=10) as client:
            channel = client.get("/channels/cha_9z01").json()
            assert channel["name"] == "Partner chat"
            assert channel["settings"]["undo_send_time"] == 10
            accepted = _post(client, "alt:address:partner@example.test")
            assert accepted.status_code == 202, accepted.text
            assert client.get("/channels/cha_1a01").status_code == 404
            assert client.get("/channels", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401


def test_serve_rejects_a_broken_workspace_with_the_field_at_fault(tmp_path: Path) -> None:
    workspace = tmp_path / "broken.yaml"
    workspace.write_text(WORKSPACE_YAML.replace("id: cha_9z02", "id: channel-two"))
    done = _run("serve", "--port", "0", "--workspace", str(workspace), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"front-emulator: {workspace} is not a valid workspace:" in done.stderr
    assert "/channels/1/id: must match the pattern ^cha_[0-9a-z]+$" in done.stderr


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("soon", "is not a number of seconds or a MIN..MAX range (e.g. 0.5..2)"),
        ("2..1", "must satisfy 0 <= MIN <= MAX <= 3600 seconds"),
        ("-1", "must satisfy 0 <= MIN <= MAX <= 3600 seconds"),
        ("1..", "is not a number of seconds or a MIN..MAX range (e.g. 0.5..2)"),
        ("", "is not a number of seconds or a MIN..MAX range (e.g. 0.5..2)"),
    ],
)
def test_bad_creation_delay_exits_2_with_a_clear_message(tmp_path: Path, value: str, reason: str) -> None:
    done = _run("serve", "--port", "0", f"--creation-delay={value}", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"front-emulator: creation delay {value!r} {reason}\n"


def test_creation_delay_holds_messages_back(tmp_path: Path) -> None:
    with serving("--creation-delay", "600", cwd=tmp_path) as served, served.client() as client:
        assert "Creation delay: 600 s\n" in served.output
        uid = _post(client).json()["message_uid"]
        assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
        ready = client.get("/_emulator/readyz").json()
        assert (ready["messages"], ready["pending_messages"]) == (0, 1)
    with serving("--creation-delay", "0.5..2", cwd=tmp_path) as served:
        assert "Creation delay: 0.5..2 s\n" in served.output


def _uids_with(flags: tuple[str, ...], cwd: Path) -> list[str]:
    with serving(*flags, cwd=cwd) as served, served.client() as client:
        return [_post(client, handle=f"user{index}@example.test").json()["message_uid"] for index in range(3)]


def test_same_seed_and_same_requests_give_the_same_uids(tmp_path: Path) -> None:
    first = _uids_with(("--seed", "42"), tmp_path)
    second = _uids_with(("--seed", "42"), tmp_path)
    other = _uids_with(("--seed", "43"), tmp_path)
    assert first == second
    assert len(set(first)) == 3
    assert set(other).isdisjoint(first)


def test_rate_limit_sets_the_limit_header(tmp_path: Path) -> None:
    with serving("--rate-limit", "50", cwd=tmp_path) as served, served.client() as client:
        answer = client.get("/channels")
        assert answer.status_code == 200
        assert answer.headers["x-ratelimit-limit"] == "50"
        assert answer.headers["x-ratelimit-remaining"] == "49"
        assert _post(client).headers["x-ratelimit-limit"] == "50"


def test_rate_limit_below_one_exits_2(tmp_path: Path) -> None:
    done = _run("serve", "--port", "0", "--rate-limit", "0", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "front-emulator: --rate-limit must be at least 1 request per minute\n"


def test_readyz_waits_for_a_running_server(tmp_path: Path) -> None:
    with serving(cwd=tmp_path) as served:
        done = _run("readyz", "--url", served.base, "--wait", "5", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"ready: {served.base}/_emulator/readyz\n"


@pytest.fixture
def closed_port() -> Callable[[], int]:
    def find() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    return find


def test_readyz_against_a_closed_port_exits_1_with_a_clear_message(
    tmp_path: Path, closed_port: Callable[[], int]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    done = _run("readyz", "--url", url, "--wait", "0.5", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"not ready after 0.5 s: {url}/_emulator/readyz: ")
    assert "connect" in done.stderr.lower() or "refused" in done.stderr.lower(), done.stderr


def test_version_names_the_package_version(tmp_path: Path) -> None:
    from emulator import __version__

    done = _run("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"front-emulator {__version__}\n", "")


@pytest.mark.parametrize("through_a_shell", [False, True], ids=["the server itself", "its parent"])
def test_readyz_with_the_pid_of_the_answering_server(tmp_path: Path, through_a_shell: bool) -> None:
    with serving(cwd=tmp_path, through_a_shell=through_a_shell) as served:
        pid = str(served.process.pid)
        done = _run("readyz", "--url", served.base, "--pid", pid, "--wait", "5", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"ready: {served.base}/_emulator/readyz\n"


def test_readyz_refuses_another_front_emulator_than_the_pid(tmp_path: Path) -> None:
    bystander = subprocess.Popen(["sleep", "600"])  # alive, but neither the server nor its parent
    other = str(bystander.pid)
    try:
        with serving(cwd=tmp_path) as served:
            done = _run("readyz", "--url", served.base, "--pid", other, "--wait", "30", cwd=tmp_path)
    finally:
        bystander.kill()
        bystander.wait()
    assert done.returncode == 1
    assert done.stderr == (
        f"not ready: {served.base}/_emulator/readyz is answered by another front-emulator "
        f"(process {served.process.pid}), not by process {other}\n"
    )


@pytest.fixture
def lookalike() -> Iterator[int]:
    with lookalike_server() as port:
        yield port


@pytest.mark.parametrize("with_pid", [False, True], ids=["without --pid", "with a live --pid"])
def test_readyz_refuses_something_else_answering(tmp_path: Path, lookalike: int, with_pid: bool) -> None:
    url = f"http://127.0.0.1:{lookalike}"
    pid = ["--pid", str(os.getpid())] if with_pid else []
    done = _run("readyz", "--url", url, *pid, "--wait", "30", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(
        f"not ready: {url}/_emulator/readyz is answered by something other than a front-emulator "
        "(HTTP 200, server: BaseHTTP/"
    ), done.stderr
    assert done.stderr.endswith(f"{READYZ_LOOKALIKE.decode()})\n")


def _exited_but_not_collected(process: subprocess.Popen[str]) -> None:
    """Wait for `process` to exit, leaving its exit status to be read, as a shell's `$!` is until `wait`."""
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)


def test_readyz_pid_when_the_port_is_taken_fails_with_the_servers_exit_status(
    tmp_path: Path, lookalike: int
) -> None:
    server = subprocess.Popen(
        [COMMAND, "serve", "--port", str(lookalike)],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _exited_but_not_collected(server)
        url = f"http://127.0.0.1:{lookalike}"
        done = _run("readyz", "--url", url, "--pid", str(server.pid), "--wait", "30", cwd=tmp_path)
    finally:
        status = server.wait()
        server.stderr.close()  # type: ignore[union-attr]
    assert status != 0
    assert done.returncode == 1
    assert done.stderr == f"not ready: server process {server.pid} exited with status {status}\n"


def test_readyz_pid_of_a_killed_or_vanished_process(tmp_path: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "600"])
    sleeper.send_signal(signal.SIGKILL)
    _exited_but_not_collected(sleeper)  # type: ignore[arg-type]
    killed = _run("readyz", "--pid", str(sleeper.pid), "--wait", "30", cwd=tmp_path)
    sleeper.wait()
    assert killed.returncode == 1
    assert killed.stderr == f"not ready: server process {sleeper.pid} was killed by SIGKILL\n"
    # Collected by its parent, the process is gone and its status with it.
    vanished = _run("readyz", "--pid", str(sleeper.pid), "--wait", "30", cwd=tmp_path)
    assert vanished.returncode == 1
    assert vanished.stderr == (
        f"not ready: server process {sleeper.pid} is not running "
        "(its exit status is known only to the shell that started it)\n"
    )


def test_contract_without_the_contract_extra_exits_2_naming_it(tmp_path: Path) -> None:
    # A `hypothesis` that cannot be imported, first on the path, as after `pip install front-emulator`.
    stub = tmp_path / "without-hypothesis" / "hypothesis"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'hypothesis'\", name='hypothesis')\n"
    )
    env = {**_env(), "PYTHONPATH": str(stub.parent)}
    done = subprocess.run(
        [COMMAND, "contract", "outgoing", "--url", "http://127.0.0.1:9/front", "--secret", "s"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("front-emulator: ")
    assert "pip install 'front-emulator[contract]'" in done.stderr
