"""Every shell and Python snippet in README.md and docs/*.md runs, exactly as written.

How the pages are read (docs/index.md says the same for authors):

- Fenced blocks tagged ```` ```sh ```` or ```` ```python ```` are run; any other tag (``text``, ``json``,
  ``yaml``) is output or a file format and is not. Untagged blocks and look-alikes (``bash``, ``console``,
  ``py``) are refused, so the tag always tells whether a block runs.
- ``<!-- docs-test: skip (reason) -->`` on the line before a block: not run, and the reason is required.
- ``<!-- docs-test: same as PATH -->`` before a block: the block must appear verbatim in that repo file.
- All ``sh`` blocks of a page run in order in one bash (``set -euo pipefail``) from the repository root,
  with the venv's ``bin`` first on PATH, against an emulator started for that page with
  ``front-emulator serve`` (unless the page says ``<!-- docs-test: no emulator -->``: its snippets start
  their own). Everything a page starts in the background is stopped after it.
- A ``python`` block that defines ``test_`` functions is a pytest file; a page's pytest files run together
  with ``python -m pytest -W error`` in an empty project (so they hold in a project that turns warnings
  into errors). Any other is a script run with the venv's python from the repository root.
- Snippets say ``127.0.0.1:8025`` (the emulator, as after ``make run``) and ``127.0.0.1:9000`` (your
  integration). Those two port numbers, there and after ``--port``, are the only text the test changes:
  it puts in free ports so that runs never collide.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
RUN_TAGS = ("sh", "python")
FENCE = re.compile(r"^```(\S*)\s*$")
MARKER = re.compile(r"^<!-- docs-test: (.*?) -->$")
NO_EMULATOR = "<!-- docs-test: no emulator -->"
# A hang guard for one subprocess, not a speed assertion: snippets wait on conditions, never on time.
SNIPPET_TIMEOUT = 180
BIN = str(Path(sys.executable).parent)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # the line of the opening fence, 1-based
    tag: str
    marker: str | None
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks_of(page: Path) -> list[Block]:
    lines = page.read_text().splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i] == "```")
        marker = MARKER.match(lines[index - 1]) if index else None
        text = "\n".join(lines[index + 1 : end]) + "\n"
        found.append(Block(page, index + 1, opening.group(1), marker and marker.group(1), text))
        index = end + 1
    return found


def runnable(page: Path) -> list[Block]:
    return [block for block in blocks_of(page) if block.tag in RUN_TAGS and block.marker is None]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_ports(text: str, ports: dict[str, int]) -> str:
    for documented, real in ports.items():
        text = re.sub(rf"(127\.0\.0\.1:|--port[ =]){documented}\b", rf"\g<1>{real}", text)
    return text


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONT_EMULATOR_")}
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture
def emulator_port(request: pytest.FixtureRequest) -> Iterator[int | None]:
    page: Path = request.node.callspec.params["page"]
    if NO_EMULATOR in page.read_text():
        yield None
        return
    process = subprocess.Popen(
        [f"{BIN}/front-emulator", "serve", "--port", "0"],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        # serve prints its URL once the socket is bound, so the port is known and in use by then.
        listening = re.search(r"http://127\.0\.0\.1:(\d+)", process.stdout.readline())
        assert listening, "front-emulator serve did not print the URL it listens on"
        yield int(listening.group(1))
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()  # type: ignore[union-attr]


def run_in_group(command: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a snippet in its own process group, then stop whatever it left running in the background."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(stdin, timeout=SNIPPET_TIMEOUT)
    finally:
        with contextlib.suppress(ProcessLookupError):  # nothing left running
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return subprocess.CompletedProcess(command, process.returncode, output, None)


def shell_session(blocks: list[Block], ports: dict[str, int]) -> tuple[str, list[tuple[int, Block]]]:
    """One bash script of a page's sh blocks; the ERR trap names the script line that failed."""
    script = ["set -euo pipefail", "trap 'echo; echo \"docs-test: failed at script line $LINENO\"' ERR"]
    starts: list[tuple[int, Block]] = []
    for block in blocks:
        script.append(f"# {block.where}")
        starts.append((len(script) + 1, block))
        script.extend(with_ports(block.text, ports).splitlines())
    return "\n".join(script) + "\n", starts


def failing_line(output: str, starts: list[tuple[int, Block]]) -> str:
    found = re.search(r"docs-test: failed at script line (\d+)", output)
    if not found:
        return starts[-1][1].where + " (or a block after it)"
    line = int(found.group(1))
    start, block = max((entry for entry in starts if entry[0] <= line), key=lambda entry: entry[0])
    return f"{block.page.relative_to(ROOT)}:{block.line + 1 + line - start}"


def is_pytest_file(block: Block) -> bool:
    return re.search(r"^def test_", block.text, re.MULTILINE) is not None


def run_pytest_files(blocks: list[Block], ports: dict[str, int], project: Path) -> None:
    """A page's pytest blocks as files of one empty project, in one pytest run: test_line_N.py is line N."""
    for block in blocks:
        (project / f"test_line_{block.line}.py").write_text(with_ports(block.text, ports))
    pytest_command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
    result = run_in_group(pytest_command, project)
    if result.returncode:
        page = blocks[0].page.relative_to(ROOT)
        pytest.fail(f"pytest snippets of {page} failed (test_line_N.py is its line N):\n{result.stdout}")


@pytest.mark.parametrize("page", [page for page in PAGES if runnable(page)], ids=lambda page: page.name)
def test_snippets_run(page: Path, emulator_port: int | None, tmp_path: Path) -> None:
    ports = {"8025": emulator_port or free_port(), "9000": free_port()}
    blocks = runnable(page)
    shell = [block for block in blocks if block.tag == "sh"]
    if shell:
        script, starts = shell_session(shell, ports)
        result = run_in_group(["bash", "-c", script], ROOT)
        if result.returncode:
            pytest.fail(f"snippet failed near {failing_line(result.stdout, starts)}:\n{result.stdout}")
    python = [block for block in blocks if block.tag == "python"]
    for block in python:
        if not is_pytest_file(block):
            result = run_in_group([sys.executable, "-"], ROOT, stdin=with_ports(block.text, ports))
            if result.returncode:
                pytest.fail(f"snippet at {block.where} failed:\n{result.stdout}")
    if any(is_pytest_file(block) for block in python):
        run_pytest_files([block for block in python if is_pytest_file(block)], ports, tmp_path)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_blocks_not_run_say_why_or_match_a_file(page: Path) -> None:
    for block in blocks_of(page):
        if block.marker is None:
            continue
        if block.marker.startswith("same as "):
            source = ROOT / block.marker.removeprefix("same as ")
            assert source.is_file(), f"{block.where}: {source} does not exist"
            assert block.text in source.read_text(), f"{block.where}: not in {source.name} as written"
        else:
            assert re.fullmatch(r"skip \(.+\)", block.marker), f"{block.where}: a skipped block says why"


# Tags that would look runnable to a reader but that the test would silently pass over.
ALIASES_OF_RUN_TAGS = {"", "bash", "shell", "zsh", "console", "py", "python3", "pycon"}


def test_every_block_is_tagged_so_readers_know_whether_it_runs() -> None:
    for page in PAGES:
        for block in blocks_of(page):
            assert block.tag not in ALIASES_OF_RUN_TAGS, (
                f"{block.where}: tag the block sh or python (run) or text (not run), not {block.tag!r}"
            )


def test_shell_snippets_show_failures() -> None:
    """A curl that fails must fail the snippet: every curl in a run block uses -sS --fail-with-body."""
    for page in PAGES:
        for block in runnable(page):
            for line in block.text.splitlines():
                if re.search(r"\bcurl\s+-", line) and "--fail-with-body" not in line:
                    pytest.fail(f"{block.where}: curl without -sS --fail-with-body: {line.strip()}")


LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)#\s]+)")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_pages_point_only_at_files_in_the_repository(page: Path) -> None:
    text = page.read_text()
    # Every relative link must resolve inside the repository (below); the reference notes are not in it.
    assert "FRONT_FACTS" not in text
    for target in LINK.findall(text):
        assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to {target}, not in the repo"
