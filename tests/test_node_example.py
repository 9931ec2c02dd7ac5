"""The Node example integration (tests/examples/node/integration.js) against `front-emulator serve`.

Proof of the "any language" claim: Debian's `node` runs the integration, `front-emulator serve` runs in its
own process, and the test talks only to Front's API, the control plane and the integration's own chat
door, waiting on conditions (the printed URLs, /_emulator/wait), never on time.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.docs_quotes import quoted_blocks

ROOT = Path(__file__).resolve().parent.parent
NODE = "/usr/bin/node"
INTEGRATION = ROOT / "tests" / "examples" / "node" / "integration.js"
FRONT_EMULATOR = str(Path(sys.executable).parent / "front-emulator")
TOKEN = "front-emulator-token"
SECRET = "front-emulator-api-secret"
CHANNEL = "cha_1a01"
# A hang guard for each awaited line or condition, not a speed assertion.
PATIENCE = 30


@dataclass
class Process:
    """A started process whose stdout lines arrive on a queue, read as they come."""

    popen: subprocess.Popen[str]
    lines: queue.Queue[str | None]

    def next_line(self) -> str:
        line = self.lines.get(timeout=PATIENCE)
        assert line is not None, f"{self.popen.args[0]} exited with {self.popen.wait()}"
        return line.rstrip("\n")


def _pump(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


@contextmanager
def _started(command: list[str], env: dict[str, str], cwd: Path) -> Iterator[Process]:
    popen = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()
    pump = threading.Thread(target=_pump, args=(popen.stdout, lines), daemon=True)
    pump.start()
    try:
        yield Process(popen, lines)
    finally:
        popen.terminate()
        popen.wait(timeout=PATIENCE)
        # Closed once the pump has read to the end: no ResourceWarning, no read on a closed file.
        pump.join(timeout=PATIENCE)
        popen.stdout.close()  # type: ignore[union-attr]


def _listening_url(process: Process) -> str:
    found = re.search(r"listening on (http://127\.0\.0\.1:\d+)$", process.next_line())
    assert found, "the process did not say where it listens"
    return found.group(1)


@pytest.fixture
def front(tmp_path: Path) -> Iterator[httpx.Client]:
    """`front-emulator serve --port 0` in its own process, and a client of its API with the full token."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONT_EMULATOR_")}
    with _started([FRONT_EMULATOR, "serve", "--port", "0"], env, tmp_path) as server:
        url = _listening_url(server)
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=PATIENCE
        ) as client:
            yield client


@contextmanager
def _integration(front: httpx.Client, secret: str, cwd: Path) -> Iterator[tuple[Process, httpx.Client]]:
    """The Node integration on a free port, set as the channel's Outgoing URL, with a client of its chat."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "FRONT_API_URL": str(front.base_url).rstrip("/"),
        "FRONT_API_TOKEN": TOKEN,
        "FRONT_API_SECRET": secret,
        "FRONT_CHANNEL_ID": CHANNEL,
    }
    with _started([NODE, str(INTEGRATION), "--port", "0"], env, cwd) as node:
        url = _listening_url(node)
        settings = {"webhook_url": f"{url}/front/outgoing", "undo_send_time": 0}
        front.patch(f"/channels/{CHANNEL}", json={"settings": settings}).raise_for_status()
        with httpx.Client(base_url=url, timeout=PATIENCE) as chat:
            yield node, chat


def _wait(front: httpx.Client, **condition: object) -> dict[str, object]:
    answer = front.post("/_emulator/wait", json={**condition, "timeout": PATIENCE})
    answer.raise_for_status()
    found: dict[str, object] = answer.json()
    assert found["satisfied"], found
    return found


def _conversation_of(front: httpx.Client, uid: str) -> str:
    _wait(front, message_uid=uid)
    message = front.get(f"/messages/alt:uid:{uid}").json()
    return str(message["_links"]["related"]["conversation"]).rsplit("/", 1)[1]


def _reply(front: httpx.Client, conversation: str, text: str) -> None:
    teammate = front.get("/_emulator/workspace").json()["teammates"][0]
    reply = front.post(
        f"/conversations/{conversation}/messages",
        json={"author_id": teammate["id"], "body": f"<p>{text}</p>"},
    )
    assert reply.status_code == 202, reply.text


def test_node_pushes_inbound_messages_and_verifies_the_signed_reply(
    front: httpx.Client, tmp_path: Path
) -> None:
    with _integration(front, SECRET, tmp_path) as (node, chat):
        sent = chat.post(
            "/chat/messages",
            json={"thread": "t-1", "handle": "ada@example.test", "name": "Ada", "text": "Hello from Node 👋"},
        )
        assert sent.status_code == 202, sent.text
        uid = sent.json()["message_uid"]
        conversation = _conversation_of(front, uid)
        message = front.get(f"/messages/alt:uid:{uid}").json()
        assert message["is_inbound"] is True
        assert message["text"] == "Hello from Node 👋"
        assert message["metadata"]["thread_ref"] == "t-1"

        _reply(front, conversation, "Hi Ada, café is on us ☕")
        _wait(front, deliveries=1, channel_id=CHANNEL, outcome="sent")
        (delivery,) = front.get("/_emulator/deliveries", params={"channel_id": CHANNEL}).json()["_results"]
        assert delivery["answer"]["status"] == 200
        assert json.loads(delivery["answer"]["body"]) == {"type": "success", "external_id": "node-1"}
        verified = f'verified outgoing message {delivery["message_id"]}: "Hi Ada, café is on us ☕"'
        assert node.next_line() == verified


def test_node_refuses_a_reply_signed_with_another_secret(front: httpx.Client, tmp_path: Path) -> None:
    inbound = front.post(
        f"/channels/{CHANNEL}/incoming_messages",
        json={"sender": {"handle": "lin@example.test"}, "body": "hi"},
    )
    assert inbound.status_code == 202, inbound.text
    conversation = _conversation_of(front, inbound.json()["message_uid"])
    with _integration(front, "not-the-api-secret", tmp_path) as (node, _):
        _reply(front, conversation, "Hello Lin")
        _wait(front, deliveries=1, channel_id=CHANNEL, outcome="failed")
        (delivery,) = front.get("/_emulator/deliveries", params={"channel_id": CHANNEL}).json()["_results"]
        assert delivery["answer"]["status"] == 401
        assert json.loads(delivery["answer"]["body"]) == {
            "type": "authentication_required",
            "message": "The X-Front-Signature is not valid.",
        }
        assert delivery["error_type"] == "authentication_required"
        assert node.next_line() == "refused an outgoing message: bad signature"


def test_node_passes_the_outgoing_contract(front: httpx.Client, tmp_path: Path) -> None:
    with _integration(front, SECRET, tmp_path) as (_, chat):
        outgoing_url = f"{str(chat.base_url).rstrip('/')}/front/outgoing"
        done = subprocess.run(
            [
                FRONT_EMULATOR,
                "contract",
                "outgoing",
                "--url",
                outgoing_url,
                "--secret",
                SECRET,
                "--examples",
                "20",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\nPASSED -- " in done.stdout


DOCS_PAGE = ROOT / "docs" / "any-language.md"


def test_the_docs_page_quotes_the_integration_exactly() -> None:
    quoted = quoted_blocks(DOCS_PAGE)
    assert list(quoted) == ["tests/examples/node/integration.js"]
    assert quoted["tests/examples/node/integration.js"] == INTEGRATION.read_text(), (
        "docs/any-language.md's copy of integration.js differs from the file"
    )
