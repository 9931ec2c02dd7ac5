"""The CI recipes of docs/ci.md, run as written: the shell recipe, and the GitHub Actions job's run steps.

Both start a real `front-emulator serve` from the venv's bin directory (first on PATH, as after activating
the venv), on a free port; the only thing changed from the files is that port.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.docs_quotes import quoted_blocks
from tests.lookalike import lookalike_server

ROOT = Path(__file__).resolve().parent.parent
SHELL_RECIPE = ROOT / "docs" / "ci" / "run-emulator.sh"
WORKFLOW = ROOT / "docs" / "ci" / "github-actions.yml"
CI_PAGE = ROOT / "docs" / "ci.md"
BIN = str(Path(sys.executable).parent)
# A hang guard, not a speed assertion: the recipes wait on readiness, never on time.
TIMEOUT = 120

# A command an integration's tests would run: it talks to the emulator the recipe started.
LIST_CHANNELS = [
    sys.executable,
    "-c",
    "import os, httpx; answer = httpx.get(os.environ['FRONT_EMULATOR_URL'] + '/channels',"
    " headers={'Authorization': 'Bearer front-emulator-token'}); answer.raise_for_status();"
    " print('channels:', *[channel['id'] for channel in answer.json()['_results']])",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(port: int) -> dict[str, str]:
    """The caller's environment with the venv's bin first on PATH and the recipe's port set."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONT_EMULATOR_")}
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env["FRONT_EMULATOR_PORT"] = str(port)
    return env


def _nothing_listens_on(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _run_recipe(port: int, command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SHELL_RECIPE), *command],
        cwd=cwd,
        env=_environment(port),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_the_shell_recipe_runs_a_command_against_its_emulator_then_stops_it(tmp_path: Path) -> None:
    port = _free_port()
    done = _run_recipe(port, LIST_CHANNELS, tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"front-emulator listening on http://127.0.0.1:{port}\n" in done.stdout
    assert f"ready: http://127.0.0.1:{port}/_emulator/readyz\n" in done.stdout
    assert "channels: cha_1a01 cha_1a02 cha_1a03 cha_1a04\n" in done.stdout
    # The recipe waited for the server to stop, so the port is free for the next step.
    assert _nothing_listens_on(port)


def test_the_shell_recipe_exits_with_the_commands_status(tmp_path: Path) -> None:
    port = _free_port()
    done = _run_recipe(port, [sys.executable, "-c", "raise SystemExit(7)"], tmp_path)
    assert done.returncode == 7, done.stderr
    assert f"ready: http://127.0.0.1:{port}/_emulator/readyz\n" in done.stdout
    assert _nothing_listens_on(port)


def test_the_shell_recipe_fails_without_running_the_command_when_the_port_is_taken(tmp_path: Path) -> None:
    marker = tmp_path / "the command ran"
    with lookalike_server() as port:
        done = _run_recipe(port, ["touch", str(marker)], tmp_path)
    assert done.returncode == 1
    assert not marker.exists()
    assert "ready:" not in done.stdout
    # At once, for a reason that names the culprit, not after waiting out the 30 s.
    reasons = [line for line in done.stderr.splitlines() if line.startswith("not ready")]
    assert len(reasons) == 1, done.stderr
    assert re.match(
        rf"not ready: (http://127\.0\.0\.1:{port}/_emulator/readyz is answered by something other than a "
        r"front-emulator|server process \d+ (exited|is not running))",
        reasons[0],
    ), done.stderr


def _workflow_steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    return list(job["steps"])


def _front_emulator_commands(script: str) -> list[list[str]]:
    """Each `front-emulator …` invocation in a shell script, as words up to a redirection or `&`."""
    found = []
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["front-emulator"]:
            command = []
            for word in words:
                if word in ("&", ">", "2>&1", "|", "&&", ";") or word.startswith((">", "2>")):
                    break
                command.append(word)
            found.append(command)
    return found


def test_the_workflow_runs_the_same_commands_as_the_shell_recipe() -> None:
    steps = _workflow_steps()
    assert any(step.get("uses", "").startswith("actions/setup-python@") for step in steps)
    runs = "\n".join(step["run"] for step in steps if "run" in step)
    assert re.search(r"^python -m pip install \"front-emulator", runs, re.MULTILINE)
    shell_commands = _front_emulator_commands(SHELL_RECIPE.read_text())
    assert [command[1] for command in shell_commands] == ["serve", "readyz"]
    assert _front_emulator_commands(runs) == shell_commands
    assert any("--pid" in command for command in shell_commands)


def _run_job(port: int, tests_command: str, workspace: Path) -> list[tuple[str, int, str]]:
    """Run the workflow's run steps as the runner does, with the emulator already installed.

    Each step is its own `bash -eo pipefail` script; `$GITHUB_ENV` lines become the environment of the
    steps after; after a failure only `if: always()` steps run. The install step is skipped (the venv
    has the package) and the tests step runs `tests_command`. Returns (step name, status, output).
    """
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    github_env = workspace / "github-env"
    github_env.touch()
    job_env = {key: str(value) for key, value in job["env"].items()}
    job_env = {key: value.replace("8025", str(port)) for key, value in job_env.items()}
    results: list[tuple[str, int, str]] = []
    failed = False
    for step in job["steps"]:
        if "run" not in step or step["name"] == "Install front-emulator":
            continue
        if failed and step.get("if") != "always()":
            continue
        script = tests_command if step["name"] == "Run the integration's tests" else step["run"]
        env = {**_environment(port), **job_env, "GITHUB_ENV": str(github_env)}
        env.update(line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line)
        (workspace / "step.sh").write_text(script)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "step.sh"],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        results.append((step["name"], done.returncode, done.stdout + done.stderr))
        failed = failed or done.returncode != 0
    return results


def _server_pid(workspace: Path) -> int:
    lines = (workspace / "github-env").read_text().splitlines()
    (pid,) = [line.split("=", 1)[1] for line in lines if line.startswith("FRONT_EMULATOR_PID=")]
    return int(pid)


def _stop_for_good(pid: int) -> None:
    """Whatever the job did, leave no server behind (it is no child of this process to wait for)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def test_the_workflow_job_passes_with_tests_that_talk_to_the_emulator(tmp_path: Path) -> None:
    workspace = tmp_path
    port = _free_port()
    tests = shlex.join(LIST_CHANNELS)
    try:
        results = _run_job(port, tests, workspace)
    finally:
        _stop_for_good(_server_pid(workspace))
    assert [(name, status) for name, status, _ in results] == [
        ("Start front-emulator", 0),
        ("Wait until it is ready", 0),
        ("Run the integration's tests", 0),
        ("Stop front-emulator", 0),
    ], results
    assert results[1][2] == f"ready: http://127.0.0.1:{port}/_emulator/readyz\n"
    assert "channels: cha_1a01 cha_1a02 cha_1a03 cha_1a04\n" in results[2][2]
    assert f"front-emulator listening on http://127.0.0.1:{port}\n" in results[3][2]


def test_the_workflow_job_fails_at_the_readiness_step_when_the_port_is_taken(tmp_path: Path) -> None:
    workspace = tmp_path
    marker = workspace / "the tests ran"
    with lookalike_server() as port:
        try:
            results = _run_job(port, f"touch {shlex.quote(str(marker))}", workspace)
        finally:
            _stop_for_good(_server_pid(workspace))
    assert [(name, status) for name, status, _ in results][1:] == [
        ("Wait until it is ready", 1),
        ("Stop front-emulator", 0),
    ], results
    assert results[1][2].startswith("not ready: "), results[1][2]
    assert not marker.exists()


def test_the_ci_page_quotes_both_recipes_exactly() -> None:
    quoted = quoted_blocks(CI_PAGE)
    assert set(quoted) == {"docs/ci/run-emulator.sh", "docs/ci/github-actions.yml"}
    for path, text in quoted.items():
        assert text == (ROOT / path).read_text(), f"docs/ci.md's copy of {path} differs from the file"
