"""The built package works on its own: the wheel and sdist build without a warning, and the wheel,
installed into fresh venvs outside the repository, serves the API without extras and runs the contract
command with ``[contract]``."""

from __future__ import annotations

import importlib
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from emulator import __version__

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("pyproject.toml", "README.md", "LICENSE", "emulator", "schemas", "fixtures")
EXTRA_LINE = "pip install 'front-emulator[contract]'"
SECRET = "wheel-secret"


def _clean_env(**extra: str) -> dict[str, str]:
    """No trace of the development venv or the checkout: the installed wheel must stand alone."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return {**env, **extra}


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, cwd=cwd, env=_clean_env(**env), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def outside() -> Iterator[Path]:
    """A temporary directory that is not inside the repository (pytest's tmp_path could be)."""
    directory = Path(tempfile.mkdtemp(prefix="front-emulator-wheel-"))
    assert REPO not in directory.resolve().parents
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def built(outside: Path) -> tuple[Path, Path, str]:
    """The wheel, the sdist, and everything the build printed."""
    # Built from a copy so the build leaves no build/ or egg-info behind in the checkout.
    source = outside / "source"
    source.mkdir()
    for name in SHIPPED:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, source / name)
    dist = outside / "dist"
    done = _run([sys.executable, "-m", "build", "--outdir", str(dist), str(source)], cwd=outside)
    (wheel,) = dist.glob("front_emulator-*.whl")
    (sdist,) = dist.glob("front_emulator-*.tar.gz")
    return wheel, sdist, done.stdout + done.stderr


@pytest.fixture(scope="module")
def venvs(outside: Path, built: tuple[Path, Path, str]) -> dict[str, Path]:
    """Two fresh venvs, installed side by side: the wheel alone, and the wheel with [contract]."""
    wheel = built[0]
    targets = {"plain": str(wheel), "contract": f"{wheel}[contract]"}

    def install(name: str) -> Path:
        venv = outside / f"venv-{name}"
        # No pip of its own (ensurepip costs seconds): this pip installs into it, with --python.
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=outside)
        # Dependencies come from the package index; pip's cache makes later runs quick. Not compiled:
        # byte-compiling every dependency would be most of the install's time.
        pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
        _run([*pip, "install", "--quiet", "--no-compile", targets[name]], cwd=outside)
        return venv

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(targets, pool.map(install, targets), strict=True))


def test_build_prints_no_warning(built: tuple[Path, Path, str]) -> None:
    *_, output = built
    warnings = [line for line in output.splitlines() if "warning" in line.lower()]
    assert warnings == [], "\n".join(warnings)


def test_the_wheel_holds_the_data_the_package_reads(built: tuple[Path, Path, str]) -> None:
    wheel, sdist, _ = built
    assert wheel.name == f"front_emulator-{__version__}-py3-none-any.whl"
    assert sdist.name == f"front_emulator-{__version__}.tar.gz"
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "emulator/py.typed",
        "emulator/schema_files/custom-message.json",
        "emulator/schema_files/message.json",
        "emulator/fixture_files/default-workspace.json",
        "emulator/fixture_files/multi-channel-workspace.json",
        "emulator/ui/templates/base.html",
        "emulator/ui/static/inspector.js",
        "emulator/ui/static/inspector.css",
        f"front_emulator-{__version__}.dist-info/licenses/LICENSE",
    }
    assert expected - names == set()
    # Every package of the source tree is in the wheel (pyproject lists them).
    packages = {path.parent.relative_to(REPO).as_posix() for path in (REPO / "emulator").rglob("__init__.py")}
    assert {f"{package}/__init__.py" for package in packages} - names == set()


def test_without_extras_serve_works_and_the_contract_names_its_extra(
    venvs: dict[str, Path], outside: Path
) -> None:
    venv = venvs["plain"]
    cwd = outside / "elsewhere"
    cwd.mkdir(exist_ok=True)
    where = _run([str(venv / "bin" / "python"), "-c", "import emulator; print(emulator.__file__)"], cwd=cwd)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    missing = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import emulator.contract"],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1].startswith("ImportError: ")
    assert EXTRA_LINE in missing.stderr
    # The command says the same in one line, and exits 2 (1 would mean the integration broke the contract).
    contract = [str(venv / "bin" / "front-emulator"), "contract", "outgoing"]
    command = subprocess.run(
        [*contract, "--url", "http://127.0.0.1:9", "--secret", "s"],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
    )
    assert command.returncode == 2, command.stderr
    (line,) = command.stderr.strip().splitlines()
    assert line.startswith("front-emulator: ") and EXTRA_LINE in line

    _check_serve(venv, cwd)


def _read_lines(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


def _check_serve(venv: Path, cwd: Path) -> None:
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
            # The inspector's templates and static files are found inside the package.
            assert client.get("/_emulator/ui", follow_redirects=True).status_code == 200
            assert client.get("/_emulator/ui/static/inspector.js").status_code == 200
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


@pytest.fixture
def integration_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """docs/examples/outgoing_receiver.py, the integration the docs start from, in this process."""
    monkeypatch.syspath_prepend(str(REPO / "docs" / "examples"))
    receiver = importlib.import_module("outgoing_receiver")
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler_for(SECRET))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/front"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_with_contract_the_command_checks_an_integration(
    venvs: dict[str, Path], outside: Path, integration_url: str
) -> None:
    venv = venvs["contract"]
    command = [str(venv / "bin" / "front-emulator"), "contract", "outgoing", "--url", integration_url]
    done = _run([*command, "--secret", SECRET, "--examples", "10"], cwd=outside)
    assert "PASSED" in done.stdout, done.stdout
    assert "forged: wrong_secret" in done.stdout
