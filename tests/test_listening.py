"""`front-emulator serve` binds its socket before it builds the app: a taken port is one clear line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

COMMAND = str(Path(sys.executable).parent / "front-emulator")


def serve(*flags: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`front-emulator serve FLAGS` with only the flags counting (no FRONT_EMULATOR_* from the caller)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONT_EMULATOR_")}
    return subprocess.run(
        [COMMAND, "serve", *flags], capture_output=True, text=True, timeout=60, cwd=cwd, env=env
    )


def test_a_port_in_use_is_one_clear_line_and_exit_status_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve("--port", str(port), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"front-emulator: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_an_unresolvable_host_is_one_clear_line_too(tmp_path: Path) -> None:
    done = serve("--host", "no-such-host.invalid", "--port", "0", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("front-emulator: cannot listen on no-such-host.invalid:0: ")
    assert done.stderr.count("\n") == 1
