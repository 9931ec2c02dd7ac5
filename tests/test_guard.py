"""emulator/guard.py through HTTP: foreign Host names (DNS rebinding) and cross-site state-changing
requests are refused, while curl, the harness and server-side clients (no Origin) work unchanged.
The same attacks from a real browser are in tests/test_guard_browser.py."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from emulator.config import config_from_env
from emulator.harness import LiveServer
from tests.conftest import AUTH, CHANNEL, make_config
from tests.helpers import conversation_of, start_conversation
from tests.test_cli import _run, serving

FOREIGN_ORIGIN = "http://127.0.0.1:1"
FROZEN_AT = 1_000_000_000


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Starlette]]:
    live = LiveServer.emulator(make_config())
    yield live.start(), live.app
    live.stop()


@pytest.fixture
def emulator(server: tuple[str, Starlette]) -> Iterator[httpx.Client]:
    """A client as curl or the harness: no Origin header. The emulator starts each test afresh."""
    with httpx.Client(base_url=server[0], headers=AUTH, timeout=10) as client:
        client.post("/_emulator/reset").raise_for_status()
        yield client


def port_of(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def error_of(answer: httpx.Response, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    return answer.json()["_error"]


def refusals(emulator: httpx.Client) -> list[dict]:
    return [entry for entry in emulator.get("/_emulator/requests").json()["_results"] if entry["rejected"]]


# -- DNS rebinding: Host --


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("attacker.example", "attacker.example"),
        ("Attacker.Example:{port}", "attacker.example"),
        ("localhost.attacker.example", "localhost.attacker.example"),
    ],
)
def test_a_foreign_host_cannot_read_the_workspace(emulator, host, name):
    """A rebinding page's requests carry its own name: before the guard they got every token and secret."""
    answer = emulator.get(
        "/_emulator/workspace", headers={"Host": host.format(port=port_of(str(emulator.base_url)))}
    )
    error = error_of(answer, 421)
    assert error["title"] == "Misdirected request"
    assert f"--allow-host {name} " in error["message"]
    assert f"FRONT_EMULATOR_ALLOWED_HOSTS={name}." in error["message"]
    assert "front-emulator-api-secret" not in answer.text and "front-emulator-token" not in answer.text


def test_a_foreign_host_reaches_neither_the_api_nor_the_inspector(emulator):
    for path in ("/channels", "/_emulator/ui", f"/channels/{CHANNEL}"):
        error_of(emulator.get(path, headers={"Host": "attacker.example"}), 421)
    answer = emulator.post(
        f"/channels/{CHANNEL}/incoming_messages",
        json={"sender": {"handle": "ada@example.test"}, "body": "hi"},
        headers={"Host": "attacker.example"},
    )
    error_of(answer, 421)
    assert emulator.get("/_emulator/workspace").status_code == 200
    assert emulator.get(f"/channels/{CHANNEL}").status_code == 200


def test_foreign_host_refusals_are_in_the_request_journal(emulator):
    emulator.get("/_emulator/workspace", headers={"Host": "attacker.example"})
    [entry] = refusals(emulator)
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/_emulator/workspace", 421)
    assert "attacker.example" in entry["error_message"]


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:{port}",
        "LocalHost:{port}",
        # Any port: port forwarding (docker -p 9000:8025, ssh -L) changes it legitimately.
        "localhost:9000",
        "127.0.0.1:{port}",
        "[::1]:{port}",
        "[::1]",
        # An IP address cannot be rebound: a browser sends it only to a page loaded from that address.
        "10.1.2.3:8025",
        "[fd00::7]:8025",
    ],
)
def test_loopback_names_and_ip_addresses_are_served(emulator, host):
    answer = emulator.get(
        "/_emulator/workspace", headers={"Host": host.format(port=port_of(str(emulator.base_url)))}
    )
    assert answer.status_code == 200, answer.text


def test_allow_host_serves_a_ci_service_name(tmp_path: Path):
    flags = ("--allow-host", "ci-emulator", "--allow-host", "Other-Name")
    with serving(*flags, cwd=tmp_path) as served, httpx.Client(base_url=served.base, timeout=10) as client:
        for host in (
            "ci-emulator",
            f"ci-emulator:{port_of(served.base)}",
            "other-name:8025",
            "localhost",
        ):
            assert client.get("/_emulator/workspace", headers={"Host": host}).status_code == 200, host
        error_of(client.get("/_emulator/workspace", headers={"Host": "attacker.example"}), 421)


def test_allowed_hosts_from_the_environment_are_comma_separated():
    found = config_from_env({"FRONT_EMULATOR_ALLOWED_HOSTS": "ci-emulator, front ,,"})
    assert found["allowed_hosts"] == ("ci-emulator", "front")


def test_an_allowed_host_that_is_a_url_exits_2(tmp_path: Path):
    done = _run("serve", "--port", "0", "--allow-host", "http://ci-emulator", cwd=tmp_path)
    assert done.returncode == 2
    assert "allowed host 'http://ci-emulator' is not a host name" in done.stderr


def test_the_in_process_client_host_is_served(client):
    """The in-process fixtures use http://emulator.test: their config allows that name."""
    assert client.get("/_emulator/workspace").status_code == 200
    error_of(client.get("/_emulator/workspace", headers={"Host": "attacker.example"}), 421)


# -- cross-site: Origin --

STATE_CHANGES = [
    ("/_emulator/clock/freeze", f'{{"at": {FROZEN_AT}}}'),
    ("/_emulator/seed", '{"path": "history-workspace.json"}'),
    ("/_emulator/reset", ""),
    (
        "/_emulator/channels",
        '{"id": "cha_evil", "address": "evil", "settings": {"webhook_url": "http://127.0.0.1:1/"}}',
    ),
]


@pytest.mark.parametrize("origin", [FOREIGN_ORIGIN, "null", "https://attacker.example", "http://localhost"])
@pytest.mark.parametrize(("path", "body"), STATE_CHANGES)
def test_cross_site_state_changes_are_refused(server, emulator, origin, path, body):
    """What no-cors fetch and plain forms send: text/plain or form bodies, read as JSON before the guard."""
    workspace = emulator.get("/_emulator/workspace").json()
    answer = emulator.post(path, content=body, headers={"Origin": origin, "Content-Type": "text/plain"})
    error = error_of(answer, 403)
    assert f"Origin {origin!r}" in error["message"] and path in error["message"]
    assert emulator.get("/_emulator/clock").json()["mode"] == "real"
    assert emulator.get("/_emulator/workspace").json() == workspace
    assert server[1].state.store.message_count == 0
    [entry] = refusals(emulator)
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", path, 403)


def test_a_cross_site_reset_leaves_the_messages(server, emulator):
    emulator.post(
        f"/channels/{CHANNEL}/incoming_messages",
        json={"sender": {"handle": "ada@example.test"}, "body": "hi"},
    )
    assert server[1].state.store.message_count == 1
    error_of(emulator.post("/_emulator/reset", headers={"Origin": "null"}), 403)
    assert server[1].state.store.message_count == 1


def test_the_servers_own_origin_is_accepted(emulator):
    own = str(emulator.base_url).rstrip("/")
    answer = emulator.post("/_emulator/clock/freeze", json={"at": FROZEN_AT}, headers={"Origin": own})
    assert answer.status_code == 200, answer.text
    assert emulator.get("/_emulator/clock").json()["mode"] == "frozen"


def test_reading_with_a_foreign_origin_is_left_to_cors(emulator):
    """GETs change nothing, and the browser keeps their answers from other origins (no CORS headers)."""
    answer = emulator.get("/_emulator/clock", headers={"Origin": FOREIGN_ORIGIN})
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers


def test_the_front_api_is_not_origin_checked(emulator):
    """Front's API needs a bearer token, which a cross-site page cannot attach without CORS."""
    answer = emulator.post(
        f"/channels/{CHANNEL}/incoming_messages",
        json={"sender": {"handle": "ada@example.test"}, "body": "hi"},
        headers={"Origin": FOREIGN_ORIGIN},
    )
    assert answer.status_code == 202, answer.text


@pytest.mark.parametrize("origin", ["null", FOREIGN_ORIGIN, "own"])
def test_inspector_forms_refuse_foreign_and_null_origins(server, emulator, origin):
    """Before the guard the inspector accepted `Origin: null` (sandboxed iframes, no-referrer pages);
    its own pages, which send the server's origin, are served."""
    conversation_id = conversation_of(start_conversation(emulator))
    answer = emulator.post(
        f"/_emulator/ui/conversations/{conversation_id}/reply",
        data={"author_id": "tea_1b01", "body": "Hi"},
        headers={"Origin": str(emulator.base_url).rstrip("/") if origin == "own" else origin},
        follow_redirects=False,
    )
    if origin == "own":
        assert answer.status_code == 303, answer.text
        assert server[1].state.store.message_count == 2
    else:
        error_of(answer, 403)
        assert server[1].state.store.message_count == 1


# -- clients that send no Origin keep working --


def test_clients_without_origin_change_state_with_any_content_type(emulator):
    assert emulator.post("/_emulator/clock/freeze", content=f'{{"at": {FROZEN_AT}}}').status_code == 200
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert (
        emulator.post("/_emulator/clock/advance", content='{"seconds": 5}', headers=form).status_code == 200
    )
    assert emulator.get("/_emulator/clock").json()["now"] == FROZEN_AT + 5
    assert emulator.post("/_emulator/reset").status_code == 204


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_d_without_a_content_type_works(emulator):
    url = str(emulator.base_url).rstrip("/")
    done = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-d",
            f'{{"at": {FROZEN_AT}}}',
            f"{url}/_emulator/clock/freeze",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.stdout == "200", done.stderr
    assert emulator.get("/_emulator/clock").json()["now"] == FROZEN_AT
