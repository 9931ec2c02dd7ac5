"""Workspace files: names and paths through the user's doors (`front-emulator serve` and `POST
/_emulator/seed`, run from a temporary folder outside the repository, as after a pip install), and what
the loader says about a file it cannot use.

(The pytest marker and settings door is in tests/test_pytest_plugin.py.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.domain.workspace import ALL_SCOPES
from emulator.workspace_files import WorkspaceFileError, default_workspace_path, load_workspace_file
from tests.conftest import AUTH, post_message

FRONT_EMULATOR = str(Path(sys.executable).with_name("front-emulator"))
MULTI_CHANNEL_IDS = [f"cha_2a0{n}" for n in range(1, 6)]
VALID_YAML = """\
# A second workspace, as a team would keep it next to its integration.
api_secret: team-secret
channels:
  - id: cha_2b01
    address: bot@team.test
    name: Team bot
    settings:
      webhook_url: http://127.0.0.1:9100/front
      undo_send_time: 10
  - id: cha_2b02
    address: "+15550109999"
teammates:
  - id: tea_2c01
    email: lin@team.test
tokens:
  - token: team-token-123
    scopes: ["*"]
  - token: team-reader-123
    name: reader
    scopes: [messages:read]
"""


def workspace_text(channel_id: str, secret: str) -> str:
    return json.dumps(
        {
            "api_secret": secret,
            "channels": [{"id": channel_id, "address": f"{channel_id}@example.test"}],
            "tokens": [{"token": f"{channel_id}-token", "scopes": ["*"]}],
        }
    )


class Server:
    """`front-emulator serve` in a subprocess; the URL is what it printed once its socket was bound."""

    def __init__(self, arguments: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [FRONT_EMULATOR, "serve", "--port", "0", *arguments],
            cwd=cwd,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert self.process.stdout is not None
        self.announcement = []
        for line in self.process.stdout:
            self.announcement.append(line)
            if line.startswith("  Try:"):
                break
        match = re.search(r"listening on (http://\S+)", "".join(self.announcement))
        assert match, f"serve printed no URL: {self.announcement}"
        self.url = match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()


def test_serve_takes_a_packaged_fixture_by_name_and_anything_else_as_a_path(tmp_path: Path) -> None:
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "extra.json").write_text(workspace_text("cha_5e01", "extra-secret"))
    server = Server(
        ["--workspace", "multi-channel-workspace.json"],
        cwd=tmp_path,
        env={"FRONT_EMULATOR_FIXTURES_DIR": str(tmp_path / "extra")},
    )
    try:
        assert all(channel in "".join(server.announcement) for channel in MULTI_CHANNEL_IDS)
        # FRONT_EMULATOR_FIXTURES_DIR names a folder seed may read, as --fixtures-dir does.
        answer = httpx.post(f"{server.url}/_emulator/seed", json={"path": "extra/extra.json"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["api_secret"] == "extra-secret"
    finally:
        server.stop()
    # `./name` is a path, even when a packaged fixture has that name.
    refused = subprocess.run(
        [FRONT_EMULATOR, "serve", "--workspace", "./multi-channel-workspace.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert f"cannot read workspace file {tmp_path}/multi-channel-workspace.json" in refused.stderr


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's working directory: team/ holds its --workspace, allowed/ and allowed-too/ are its
    --fixtures-dir, outside/ was never named."""
    base = tmp_path_factory.mktemp("seed")
    for name in ("team", "allowed", "allowed-too", "outside"):
        (base / name).mkdir()
    (base / "team" / "team.json").write_text(workspace_text("cha_7e01", "team-secret"))
    (base / "team" / "other-team.json").write_text(workspace_text("cha_7e02", "other-team-secret"))
    (base / "allowed" / "partner.json").write_text(workspace_text("cha_9a01", "partner-secret"))
    (base / "allowed-too" / "second.json").write_text(workspace_text("cha_9b01", "second-secret"))
    (base / "outside" / "valid.json").write_text(workspace_text("cha_0001", "outside-secret"))
    (base / "outside" / "broken.json").write_text('{"channels": [}')
    (base / "outside" / "keys.json").write_text('{"password": "hunter2", "aws_secret_key": "AKIA123"}')
    # 10 MB of valid JSON: too big to be read, though it parses.
    (base / "allowed" / "big.json").write_text('{"api_secret": "' + "x" * (10 * 1024 * 1024) + '"}')
    (base / "allowed" / "to-passwd.json").symlink_to("/etc/passwd")
    (base / "allowed" / "to-outside.json").symlink_to(base / "outside" / "valid.json")
    (base / "allowed" / "loop.json").symlink_to(base / "allowed" / "loop.json")
    return base


@pytest.fixture(scope="module")
def server(folders: Path) -> Iterator[Server]:
    server = Server(
        ["--workspace", "team/team.json", "--fixtures-dir", "allowed", "--fixtures-dir", "allowed-too"],
        cwd=folders,
    )
    yield server
    server.stop()


def seed(server: Server, path: str) -> httpx.Response:
    return httpx.post(f"{server.url}/_emulator/seed", json={"path": path}, timeout=30)


def secret_of(server: Server) -> str:
    return httpx.get(f"{server.url}/_emulator/workspace").json()["api_secret"]


def test_seed_refuses_every_path_outside_the_named_folders_with_one_answer(
    server: Server, folders: Path
) -> None:
    seed(server, "team/team.json").raise_for_status()
    refused = [
        "/etc/shadow",
        "/etc/passwd",
        "/etc/no-such-file.json",
        "/proc/self/environ",
        "../../../../../../../etc/passwd",
        "allowed/../outside/valid.json",
        f"{folders}/allowed/../../../../etc/passwd",
        str(folders / "outside" / "valid.json"),
        "outside/broken.json",
        "outside/keys.json",
        "outside/missing.json",
        # Symlinks are followed before the check: a link in an allowed folder leads nowhere else.
        "allowed/to-passwd.json",
        str(folders / "allowed" / "to-outside.json"),
        str(folders),
        "allowed/partner.json\u0000",
    ]
    answers = {path: seed(server, path) for path in refused}
    first = answers[refused[0]]
    assert first.status_code == 400
    assert first.json()["_error"]["message"] == "Workspace file refused"
    for path, answer in answers.items():
        assert (answer.status_code, answer.content) == (first.status_code, first.content), path
    assert not any(word in first.text for word in ("root:", "hunter2", "password", "outside-secret"))
    assert secret_of(server) == "team-secret"


def test_seed_caps_the_size_of_files_in_allowed_folders_and_survives_loops(server: Server) -> None:
    seed(server, "team/team.json").raise_for_status()
    answer = seed(server, "allowed/big.json")
    assert answer.status_code == 400
    assert answer.json()["_error"]["message"].endswith("big.json is larger than 5 MB")
    assert len(answer.content) < 2000
    # A symlink loop is a 400 naming the file too, not a server error.
    answer = seed(server, "allowed/loop.json")
    assert answer.status_code == 400
    assert "loop.json: Too many levels of symbolic links" in answer.json()["_error"]["message"]
    assert secret_of(server) == "team-secret"


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        ("allowed/partner.json", "partner-secret"),
        ("allowed-too/second.json", "second-secret"),
        ("team/other-team.json", "other-team-secret"),
        ("history-workspace.json", "history-api-secret"),
        ("fixtures/default-workspace.json", "front-emulator-api-secret"),
    ],
)
def test_seed_reads_the_named_folders_and_the_packaged_fixtures(
    server: Server, folders: Path, path: str, secret: str
) -> None:
    seed(server, "team/team.json").raise_for_status()
    answer = seed(server, path)
    assert answer.status_code == 200, answer.text
    assert answer.json()["api_secret"] == secret == secret_of(server)
    absolute = folders / path
    if absolute.exists():
        assert seed(server, str(absolute)).json()["api_secret"] == secret


# -- workspace files ---------------------------------------------------------------------------------


def test_valid_yaml_workspace_loads(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(VALID_YAML)
    workspace = load_workspace_file(path)
    assert [channel.id for channel in workspace.channels] == ["cha_2b01", "cha_2b02"]
    assert workspace.channels[0].settings.undo_send_time == 10
    assert workspace.channels[1].name == "+15550109999"
    assert workspace.channels[1].type == "custom"
    assert workspace.teammates[0].username == "lin"
    assert workspace.tokens[0].scopes == frozenset(ALL_SCOPES)
    assert workspace.tokens[1].scopes == frozenset({"messages:read"})
    assert workspace.api_secret == "team-secret"


def test_emulator_serves_a_yaml_workspace(make_client, tmp_path):
    path = tmp_path / "team.yml"
    path.write_text(VALID_YAML)
    client = make_client(workspace_path=path)
    client.headers["authorization"] = "Bearer team-token-123"
    assert [c["id"] for c in client.get("/channels").json()["_results"]] == ["cha_2b01", "cha_2b02"]
    uid = post_message(client, {"sender": {"handle": "v"}, "body": "x"}, channel="alt:address:bot@team.test")
    assert client.get(f"/messages/alt:uid:{uid}").json()["recipients"][1]["handle"] == "bot@team.test"
    workspace = client.get("/_emulator/workspace").json()
    assert workspace["api_secret"] == "team-secret"
    assert [t["name"] for t in workspace["tokens"]] == ["", "reader"]
    assert client.get("/channels", headers=AUTH).status_code == 401


def test_the_default_workspace_file_is_valid(tmp_path):
    workspace = load_workspace_file(default_workspace_path())
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(workspace.as_document()))
    assert load_workspace_file(copy) == workspace


def _error_for(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(WorkspaceFileError) as caught:
        load_workspace_file(path)
    message = str(caught.value)
    assert str(path) in message
    # The temporary directory is named after the test: keep it out of the assertions.
    return message.replace(str(path), "FILE")


def test_json_syntax_error_names_the_line(tmp_path):
    text = '{\n  "api_secret": "s",\n  "channels": [\n    {"id": "cha_1", "address": "a"},\n  ]\n}\n'
    message = _error_for(tmp_path, "broken.json", text)
    assert "FILE:5:" in message
    assert "invalid JSON" in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = "api_secret: s\nchannels:\n  - id: cha_1\n    address: [a\ntokens: []\n"
    message = _error_for(tmp_path, "broken.yaml", text)
    assert "invalid YAML" in message
    assert "FILE:5:" in message


def test_yaml_indentation_error_names_the_line(tmp_path):
    text = "api_secret: s\nchannels:\n  - id: cha_1\n   address: a\n"
    message = _error_for(tmp_path, "indent.yaml", text)
    assert "FILE:4:" in message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {
                "api_secret": "s",
                "channels": [{"id": "cha_1", "adress": "a"}],
                "tokens": [{"token": "12345678", "scopes": ["*"]}],
            },
            ["/channels/0/address: required", "/channels/0/adress: is not a known field"],
        ),
        (
            {
                "api_secret": "s",
                "channels": [{"id": "chan-1", "address": "a"}],
                "tokens": [{"token": "12345678", "scopes": ["*"]}],
            },
            ["/channels/0/id: must match the pattern ^cha_[0-9a-z]+$"],
        ),
        (
            {
                "api_secret": "s",
                "channels": [{"id": "cha_1", "address": "a", "settings": {"undo_send_time": 7}}],
                "tokens": [{"token": "12345678", "scopes": ["admin"]}],
            },
            ["/channels/0/settings/undo_send_time: must be one of", "/tokens/0/scopes/0: must be one of"],
        ),
        (
            {"channels": [{"id": "cha_1", "address": "a"}], "tokens": []},
            ["/api_secret: required", "/tokens: must"],
        ),
        ([], ["/: must be an object"]),
    ],
)
def test_wrong_fields_are_named(tmp_path, document, expected):
    message = _error_for(tmp_path, "wrong.json", json.dumps(document))
    for line in expected:
        assert line in message


@pytest.mark.parametrize(
    ("collection", "items", "expected"),
    [
        (
            "channels",
            [{"id": "cha_1", "address": "a"}, {"id": "cha_1", "address": "b"}],
            "/channels/1/id: 'cha_1'",
        ),
        (
            "channels",
            [{"id": "cha_1", "address": "a"}, {"id": "cha_2", "address": "a"}],
            "/channels/1/address: 'a'",
        ),
        (
            "tokens",
            [{"token": "12345678", "scopes": ["*"]}, {"token": "12345678", "scopes": []}],
            "/tokens/1/token: '12345678'",
        ),
        (
            "teammates",
            [{"id": "tea_1", "email": "a@x.test"}, {"id": "tea_1", "email": "b@x.test"}],
            "/teammates/1/id: 'tea_1'",
        ),
    ],
)
def test_duplicates_are_named(tmp_path, collection, items, expected):
    document = {
        "api_secret": "s",
        "channels": [{"id": "cha_1", "address": "a"}],
        "tokens": [{"token": "12345678", "scopes": ["*"]}],
        collection: items,
    }
    message = _error_for(tmp_path, "dupes.json", json.dumps(document))
    assert f"{expected} is used twice" in message


def test_duplicate_channel_ids_in_yaml(tmp_path):
    text = VALID_YAML.replace("id: cha_2b02", "id: cha_2b01")
    assert "/channels/1/id: 'cha_2b01' is used twice" in _error_for(tmp_path, "dupes.yaml", text)


def test_empty_yaml_file_says_so(tmp_path):
    message = _error_for(tmp_path, "empty.yaml", "")
    assert "empty" in message


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(WorkspaceFileError, match=r"nowhere\.json"):
        load_workspace_file(path)


def test_workspace_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"api_secret": "\xe9"}')
    with pytest.raises(WorkspaceFileError, match=r"latin1\.json"):
        load_workspace_file(path)


def test_yaml_file_of_comments_only_is_empty(tmp_path):
    assert "FILE is empty" in _error_for(tmp_path, "comments.yaml", "# nothing here yet\n")


def test_empty_json_file_names_the_line(tmp_path):
    assert "FILE:1:1: invalid JSON" in _error_for(tmp_path, "empty.json", "")
