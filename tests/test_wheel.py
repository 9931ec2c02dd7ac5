"""The built wheel works on its own: installed into a fresh venv outside the repository, `front-emulator
serve` starts, finds its schemas and default workspace inside the package, and answers the API."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("pyproject.toml", "README.md", "emulator", "schemas", "fixtures")


def _clean_env() -> dict[str, str]:
    """No trace of the development venv or the checkout: the installed wheel must stand alone."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture
def outside() -> Iterator[Path]:
    """A temporary directory that is not inside the repository (pytest's tmp_path could be)."""
    directory = Path(tempfile.mkdtemp(prefix="front-emulator-wheel-"))
    assert REPO not in directory.resolve().parents
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _build_wheel(outside: Path) -> Path:
    # Build from a copy so the build leaves no build/ or egg-info behind in the checkout.
    source = outside / "source"
    source.mkdir()
    for name in SHIPPED:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, source / name)
    dist = outside / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)], cwd=outside)
    (wheel,) = dist.glob("front_emulator-*.whl")
    return wheel


def _read_lines(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


def test_wheel_installs_in_a_fresh_venv_and_serves(outside: Path) -> None:
    wheel = _build_wheel(outside)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "emulator/schema_files/custom-message.json" in names
    assert "emulator/schema_files/message.json" in names
    assert "emulator/fixture_files/default-workspace.json" in names

    venv = outside / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=outside)
    # Dependencies come from the package index; pip's cache makes a second run quick.
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], cwd=outside)

    cwd = outside / "elsewhere"
    cwd.mkdir()
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import emulator; print(emulator.__file__)"],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    server = subprocess.Popen(
        [str(venv / "bin" / "front-emulator"), "serve", "--port", "0"],
        cwd=cwd,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(server.stdout, lines), daemon=True)
    reader.start()
    try:
        base = None
        while base is None:
            line = lines.get(timeout=60)
            assert line is not None, f"serve exited early: {server.wait()} {server.stderr.read()}"  # type: ignore[union-attr]
            if line.startswith("front-emulator listening on "):
                base = line.split()[-1]
        assert base.startswith("http://127.0.0.1:")

        with httpx.Client(
            base_url=base, headers={"Authorization": "Bearer front-emulator-token"}, timeout=10
        ) as client:
            ready = client.get("/_emulator/readyz")
            assert ready.status_code == 200
            assert ready.json()["status"] == "ready"
            accepted = client.post(
                "/channels/cha_1a01/incoming_messages",
                json={"sender": {"handle": "(555) 010-1234", "name": "Ada"}, "body": "Hello **wheel**"},
            )
            assert accepted.status_code == 202, accepted.text
            uid = accepted.json()["message_uid"]
            message = client.get(f"/messages/alt:uid:{uid}")
            assert message.status_code == 200, message.text
            document = message.json()
            assert document["body"] == "<p>Hello <strong>wheel</strong></p>\n"
            assert document["recipients"][0]["handle"] == "+15550101234"
            # The schemas shipped in the wheel also explain a bad request.
            rejected = client.post("/channels/cha_1a01/incoming_messages", json={"body": "no sender"})
            assert rejected.status_code == 400
            assert rejected.json()["_error"]["details"] == ["/sender: required"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        # Closed once read to the end: no ResourceWarning, no read on a closed file.
        reader.join(timeout=10)
        server.stdout.close()  # type: ignore[union-attr]
        server.stderr.close()  # type: ignore[union-attr]
