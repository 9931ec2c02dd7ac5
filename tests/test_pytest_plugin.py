"""The pytest plugin, exercised as users run it: generated test files run by pytester."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

# Options for every pytest run in a fresh interpreter. This venv has the suite's own dev tools: Schemathesis's
# pytest plugin imports Hypothesis (so the plugin would not be the only thing loaded) and costs ~0.85 s per
# run. A user's project does not have it, so these runs leave it out.
FRESH = ("-p", "no:cacheprovider", "-p", "no:schemathesis")

RECEIVER = """
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

received = []


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
        body = b'{"type": "success"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_receiver():
    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/front"
"""


def test_front_emulator_fixture_helpers_and_fresh_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_inbound(front_emulator):
            uid = front_emulator.send_incoming("Hello **there**", sender="ada@example.test")
            message = front_emulator.wait_for_message(uid)
            assert message["text"] == "Hello there"
            conversation_id = message["_links"]["related"]["conversation"].rsplit("/", 1)[1]
            assert front_emulator.conversation(conversation_id)["recipient"]["handle"] == "ada@example.test"
            assert front_emulator.client.get("/channels").status_code == 200

        def test_state_is_fresh(front_emulator):
            assert front_emulator.client.get("/_emulator/readyz").json()["messages"] == 0

        def test_workspace(front_emulator):
            assert front_emulator.channel_id == "cha_1a01"
            assert front_emulator.secret == "front-emulator-api-secret"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_marker_sets_creation_delay_seed_and_frozen_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        uids = []

        @pytest.mark.front_emulator(creation_delay=2, clock="frozen")
        def test_delay_happens_when_time_is_advanced(front_emulator):
            uid = front_emulator.send_incoming()
            assert front_emulator.client.get(f"/messages/alt:uid:{uid}").status_code == 404
            front_emulator.advance(2)
            assert front_emulator.wait_for_message(uid, timeout=0)["message_uid"] == uid

        @pytest.mark.front_emulator(seed=7)
        def test_seed_first(front_emulator):
            uids.append(front_emulator.send_incoming())

        @pytest.mark.front_emulator(seed=7)
        def test_seed_again(front_emulator):
            assert front_emulator.send_incoming() == uids[0]

        @pytest.mark.front_emulator(colour="red")
        def test_unknown_setting(front_emulator):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*unknown front_emulator setting(s)*colour*"])


def test_marker_injects_faults_for_one_test_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        INCOMING = "/channels/{channel_id}/incoming_messages"

        @pytest.mark.front_emulator(faults=[{"route": INCOMING, "status": 503, "times": 1}])
        def test_first_post_gets_the_fault(front_emulator):
            path = f"/channels/{front_emulator.channel_id}/incoming_messages"
            document = {"sender": {"handle": "visitor-1"}, "body": "Hi"}
            answer = front_emulator.client.post(path, json=document, headers=front_emulator.auth)
            assert answer.status_code == 503
            uid = front_emulator.send_incoming("Hi", "visitor-1")
            assert front_emulator.wait_for_message(uid)["message_uid"] == uid

        def test_the_next_test_has_no_fault(front_emulator):
            assert front_emulator.faults() == []
            front_emulator.send_incoming()

        @pytest.mark.front_emulator(faults=[{"route": INCOMING}])
        def test_a_bad_fault_fails_the_test(front_emulator):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*POST /_emulator/faults answered 400*exactly one of status*"])


def test_front_server_delivers_to_real_urls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(receiver=RECEIVER)
    pytester.makepyfile(
        """
        from receiver import received, start_receiver

        def test_reply_reaches_the_integration(front_server):
            assert front_server.url.startswith("http://127.0.0.1:")
            front_server.configure_channel(webhook_url=start_receiver(), undo_send_time=0)
            uid = front_server.send_incoming("Hi", sender="visitor-1")
            conversation_id = front_server.wait_for_message(uid)["_links"]["related"]["conversation"]
            message = front_server.reply(conversation_id.rsplit("/", 1)[1], "<p>Hello</p>")
            [delivery] = front_server.wait_for_deliveries(1, message_id=message["id"])
            assert delivery["outcome"] == "sent"
            assert received[-1]["id"] == message["id"]
            assert received[-1]["_links"]["self"].startswith(front_server.url)

        def test_server_is_reset_between_tests(front_server):
            assert front_server.deliveries() == []
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


@pytest.fixture
def external_emulator() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", "from emulator.cli import main; main()", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    match = re.search(r"http://[\d.:]+", process.stdout.readline())
    assert match, "front-emulator serve did not print its URL"
    yield match.group(0)
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


def test_external_url_mode(pytester: pytest.Pytester, external_emulator: str) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_first(front_emulator):
            front_emulator.wait_for_message(front_emulator.send_incoming())

        def test_second_sees_a_reset_emulator(front_emulator, front_server):
            assert front_emulator.url == front_server.url
            assert front_emulator.client.get("/_emulator/readyz").json()["messages"] == 0

        @pytest.mark.front_emulator(creation_delay=1)
        def test_settings_fixed_at_start_are_refused(front_emulator):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*FRESH, "--front-emulator-url", external_emulator)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*creation_delay cannot change per test against an external emulator*"])
    # The environment variable does the same, for CI scripts.
    pytester.makepyfile(
        test_env="""
        def test_env(front_emulator):
            assert front_emulator.url.startswith("http://127.0.0.1:")
        """
    )
    environment = pytest.MonkeyPatch()
    environment.setenv("FRONT_EMULATOR_URL", external_emulator)
    try:
        pytester.runpytest_subprocess(*FRESH, "test_env.py").assert_outcomes(passed=1)
    finally:
        environment.undo()


def test_xdist_workers_have_their_own_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(6))
        def test_in_process(front_emulator, n):
            front_emulator.wait_for_message(front_emulator.send_incoming(f"message {n}"))
            assert front_emulator.client.get("/_emulator/readyz").json()["messages"] == 1

        @pytest.mark.parametrize("n", range(6))
        def test_server(front_server, n):
            front_server.wait_for_message(front_server.send_incoming(f"message {n}"))
            assert front_server.client.get("/_emulator/readyz").json()["messages"] == 1
        """
    )
    result = pytester.runpytest_subprocess(*FRESH, "-n", "2")
    result.assert_outcomes(passed=12)


# -- in someone else's project -------------------------------------------------------------------------

HEAVY_MODULES = (
    "emulator.app",
    "starlette",
    "starlette.testclient",
    "jinja2",
    "jsonschema",
    "httpx",
    "httpx2",
    "uvicorn",
    "hypothesis",
    "yaml",
)


def test_loading_the_plugin_imports_nothing_heavy(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import sys

        HEAVY = {HEAVY_MODULES!r}

        def test_plugin_loaded_and_nothing_heavy_imported():
            assert "emulator.pytest_plugin" in sys.modules
            assert [name for name in HEAVY if name in sys.modules] == []

        def test_a_fixture_brings_them(front_emulator):
            assert "starlette.testclient" in sys.modules and "emulator.app" in sys.modules
        """
    )
    # A fresh interpreter: this one has long imported all of them.
    result = pytester.runpytest_subprocess(*FRESH)
    result.assert_outcomes(passed=2)


USER_PROJECT_TESTS = """
import pytest


def test_in_process(front_emulator):
    front_emulator.wait_for_message(front_emulator.send_incoming("Hello"))
    assert front_emulator.client.get("/_emulator/readyz").json()["messages"] == 1


def test_live_server(front_server):
    front_server.wait_for_message(front_server.send_incoming("Hello"))
    assert front_server.deliveries() == []


@pytest.mark.front_emulator(clock="frozen", creation_delay=1)
def test_frozen_clock(front_emulator, front_server):
    uid = front_emulator.send_incoming()
    front_emulator.advance(1)
    assert front_emulator.wait_for_message(uid, timeout=0)["message_uid"] == uid
"""


def test_user_project_with_filterwarnings_error_passes_with_both_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nfilterwarnings = ["error"]\n')
    pytester.makepyfile(USER_PROJECT_TESTS)
    pytester.runpytest_subprocess(*FRESH).assert_outcomes(passed=3)
    # Python's own -W error also covers what happens while pytest loads its plugins, before any ini.
    result = pytester.run(sys.executable, "-W", "error", "-m", "pytest", *FRESH)
    result.assert_outcomes(passed=3)


def test_marker_and_settings_name_packaged_workspaces_or_paths(pytester: pytest.Pytester) -> None:
    # pytester runs in a temporary folder outside this repository, as an installed package would.
    pytester.path.joinpath("team.json").write_text(
        '{"api_secret": "team-secret", "channels": [{"id": "cha_7t01", "address": "bot@team.test"}],'
        ' "tokens": [{"token": "team-token", "scopes": ["*"]}]}'
    )
    pytester.makepyfile(
        """
        import pytest

        def channel_ids(emulator):
            return [channel["id"] for channel in emulator.workspace["channels"]]

        @pytest.mark.front_emulator(workspace="multi-channel-workspace.json")
        def test_packaged_name(front_emulator):
            assert len(channel_ids(front_emulator)) > 3

        @pytest.mark.front_emulator(workspace="fixtures/multi-channel-workspace.json")
        def test_packaged_name_as_in_the_repository(front_server):
            assert len(channel_ids(front_server)) > 3

        @pytest.mark.front_emulator(workspace="team.json")
        def test_a_path(front_emulator):
            assert channel_ids(front_emulator) == ["cha_7t01"]
            # The workspace's folder may be seeded from, and the packaged fixtures by name.
            assert front_emulator.seed("history-workspace.json")["history"]
            assert front_emulator.seed("team.json")["api_secret"] == "team-secret"

        class TestSettingsFixture:
            @pytest.fixture
            def front_emulator_settings(self):
                return {"workspace": "multi-channel-workspace.json", "seed": 3}

            def test_settings_fixture(self, front_emulator):
                assert len(channel_ids(front_emulator)) > 3

        @pytest.mark.front_emulator(workspace="missing.json")
        def test_missing(front_emulator):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*FRESH)
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*cannot read workspace file */missing.json*packaged fixtures by name:*"])


def test_external_url_where_nothing_answers_says_how_to_start_one(pytester: pytest.Pytester) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Closed again: nothing listens on that port now.
    url = f"http://127.0.0.1:{port}"
    pytester.makepyfile(
        """
        def test_in_process(front_emulator):
            pass

        def test_server(front_server):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*FRESH, "--front-emulator-url", url)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            f"*no front-emulator at {url} (--front-emulator-url / FRONT_EMULATOR_URL): ConnectError*",
            f"*front-emulator serve --host 127.0.0.1 --port {port}*",
            f"*front-emulator readyz --url {url} --wait 10*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
