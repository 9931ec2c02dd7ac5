"""Workspace names and paths through the user's doors: `front-emulator serve` and `POST /_emulator/seed`,
run from a temporary folder outside the repository, as after a pip install.

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

FRONT_EMULATOR = str(Path(sys.executable).with_name("front-emulator"))
MULTI_CHANNEL_IDS = [f"cha_2a0{n}" for n in range(1, 6)]


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
