"""What `front-emulator serve`'s HTTP server bounds (emulator/serving.py), through raw sockets and a real
`serve` process: oversized headers get 431, requests that stop arriving get 408, and SIGTERM ends waits,
deliveries and half-sent requests and exits 0."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from emulator.app import create_app, create_store
from emulator.config import Config
from emulator.listening import listen
from emulator.serving import server_for

COMMAND = str(Path(sys.executable).parent / "front-emulator")
INCOMING = "/channels/cha_1a01/incoming_messages"
TOKEN = "Authorization: Bearer front-emulator-token\r\n"


@contextlib.contextmanager
def bounded_server(**bounds: Any) -> Iterator[tuple[str, int]]:
    """The serve command's server in a thread, with small bounds so a test waits half a second."""
    listener = listen("127.0.0.1", 0)
    config = Config(port=listener.getsockname()[1], **bounds)
    app = create_app(config, create_store(config))
    server = server_for(app, config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        # uvicorn is serving once it has started; readyz answers then.
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started
        yield "127.0.0.1", config.port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def exchange(address: tuple[str, int], *parts: bytes, timeout: float = 30) -> bytes:
    """Send `parts`, then read until the server closes the connection (the timeout is only a hang guard)."""
    with socket.create_connection(address, timeout=timeout) as connection:
        for part in parts:
            connection.sendall(part)
        return read_to_close(connection)


def read_to_close(connection: socket.socket) -> bytes:
    received = b""
    with connection, contextlib.suppress(OSError):
        while chunk := connection.recv(65536):
            received += chunk
    return received


def status_and_error(answer: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"connection: close" in head.lower()
    return status, orjson.loads(body)["_error"]


def test_headers_over_the_limit_are_answered_431_in_front_s_envelope() -> None:
    with bounded_server(max_header_bytes=16 * 1024) as address:
        # The whole oversized block at once, and one dribbled in small pieces: both refused.
        big = b"x-filler: " + b"a" * 40_000 + b"\r\n"
        answer = exchange(address, b"GET /channels HTTP/1.1\r\nhost: 127.0.0.1\r\n" + big + b"\r\n")
        pieces = [b"GET /channels HTTP/1.1\r\nhost: 127.0.0.1\r\n"] + [
            b"x-more: " + b"b" * 1000 + b"\r\n"
        ] * 40
        dribbled = exchange(address, *pieces)
        # Just under the limit still works.
        fine = httpx.get(f"http://{address[0]}:{address[1]}/_emulator/livez", headers={"x-pad": "c" * 8000})
    for refused in (answer, dribbled):
        status, error = status_and_error(refused)
        assert status == 431
        assert (
            error["message"]
            == "The request line and headers are larger than the 16 KiB the emulator accepts."
        )
    assert fine.status_code == 200


def test_headers_that_stop_arriving_are_answered_408() -> None:
    with bounded_server(header_timeout=0.5) as address:
        answer = exchange(address, b"POST " + INCOMING.encode() + b" HTTP/1.1\r\nhost: 127.0.0.1\r\n")
        silent = exchange(address)
    for timed_out in (answer, silent):
        status, error = status_and_error(timed_out)
        assert status == 408
        assert error["message"] == "The request line and headers did not arrive within 0.5 s."


def test_a_body_that_stops_arriving_is_answered_408_and_nothing_is_stored() -> None:
    document = b'{"sender": {"handle": "visitor-1"}, "body": "Hello"}'
    head = (
        f"POST {INCOMING} HTTP/1.1\r\nhost: 127.0.0.1\r\n{TOKEN}content-type: application/json\r\n"
        f"content-length: {len(document)}\r\n\r\n"
    ).encode()
    with bounded_server(body_idle_timeout=0.5) as address:
        answer = exchange(address, head, document[:20])
        requests = httpx.get(f"http://{address[0]}:{address[1]}/_emulator/requests").json()["_results"]
    status, error = status_and_error(answer)
    assert status == 408
    assert error["message"] == "The request body stopped arriving for 0.5 s."
    # The app saw the client gone and refused the request: nothing was accepted.
    assert [entry["status"] for entry in requests] == [400]


class HangingReceiver:
    """An Outgoing URL that answers its first request 500 at once and never answers the later ones."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/hook"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self.socket.accept()
                self.held.append(connection)
                if len(self.held) == 1:
                    connection.recv(65536)
                    connection.sendall(b"HTTP/1.1 500 Oops\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    connection.close()

    def __enter__(self) -> HangingReceiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.socket.close()
        for connection in self.held:
            connection.close()


@contextlib.contextmanager
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`front-emulator serve --port 0` and its base URL; killed if a test left it running."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONT_EMULATOR_")}
    with subprocess.Popen(
        [COMMAND, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    ) as process:
        try:
            assert process.stdout is not None and process.stderr is not None
            first = process.stdout.readline()
            assert first.startswith("front-emulator listening on "), first + process.stderr.read()
            yield process, first.split()[-1]
        finally:
            if process.poll() is None:
                process.kill()


def stopped(process: subprocess.Popen[str]) -> tuple[int, str]:
    """The exit status and stderr of a server told to stop (the timeout only guards against a hang)."""
    _, errors = process.communicate(timeout=30)
    return process.returncode, errors


def test_sigterm_answers_what_is_in_flight_and_exits_0(tmp_path: Path) -> None:
    outcomes: dict[str, httpx.Response] = {}
    with (
        HangingReceiver() as receiver,
        serving(tmp_path) as (process, base),
        httpx.Client(
            base_url=base, timeout=60, headers={"authorization": "Bearer front-emulator-token"}
        ) as client,
    ):
        settings = {"webhook_url": receiver.url, "outgoing_timeout": 120, "retries": 0}
        assert client.patch("/channels/cha_1a01", json={"settings": settings}).status_code == 204
        uid = client.post(INCOMING, json={"sender": {"handle": "visitor-1"}, "body": "Hi"}).json()[
            "message_uid"
        ]
        inbound = client.get(f"/messages/alt:uid:{uid}").json()
        conversation_id = inbound["_links"]["related"]["conversation"].rsplit("/", 1)[1]
        reply = client.post(f"/conversations/{conversation_id}/messages", json={"body": "Hello"})
        assert reply.status_code == 202, reply.text
        assert client.post("/_emulator/wait", json={"deliveries": 1, "timeout": 30}).json()["satisfied"]
        [first] = client.get("/_emulator/deliveries").json()["_results"]
        assert first["outcome"] == "failed"

        redelivered = threading.Thread(
            target=lambda: outcomes.setdefault(
                "redeliver", httpx.post(f"{base}/_emulator/deliveries/{first['id']}/redeliver", timeout=60)
            )
        )
        redelivered.start()
        # The redelivery is in flight once the receiver holds its second connection.
        for _ in range(600):
            if len(receiver.held) >= 2:
                break
            threading.Event().wait(0.05)
        assert len(receiver.held) >= 2
        host, port = base.removeprefix("http://").split(":")
        waiting = socket.create_connection((host, int(port)), timeout=60)
        wait_body = b'{"deliveries": 5, "timeout": 60}'
        waiting.sendall(
            f"POST /_emulator/wait HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(wait_body)}\r\n\r\n".encode()
            + wait_body
        )
        half_sent = socket.create_connection((host, int(port)), timeout=60)
        half_sent.sendall(
            f"POST {INCOMING} HTTP/1.1\r\nhost: {host}\r\n{TOKEN}content-type: application/json\r\n"
            'content-length: 100\r\n\r\n{"sender":'.encode()
        )
        # One more round trip: the server has read what the two connections sent before it.
        assert client.get("/_emulator/livez").status_code == 200
        process.send_signal(signal.SIGTERM)
        status, errors = stopped(process)
        redelivered.join(timeout=30)
        wait_answer, half_answer = read_to_close(waiting), read_to_close(half_sent)
    assert status == 0, errors
    head, _, body = wait_answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert orjson.loads(body)["satisfied"] is False
    assert outcomes["redeliver"].status_code == 200
    interrupted = outcomes["redeliver"].json()
    assert (interrupted["outcome"], interrupted["error_type"], interrupted["redelivery_of"]) == (
        "failed",
        "internal_error",
        first["id"],
    )
    assert interrupted["reason"] == "The emulator shut down before the integration answered."
    half_status, half_error = status_and_error(half_answer)
    assert half_status == 503
    assert half_error["message"] == "The emulator is shutting down: this request was not complete yet."


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_an_idle_server_stops_with_status_0(tmp_path: Path, signal_number: int) -> None:
    with serving(tmp_path) as (process, _):
        process.send_signal(signal_number)
        status, errors = stopped(process)
    assert status == 0 and "Traceback" not in errors, errors
