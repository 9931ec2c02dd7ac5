"""What installing front-emulator costs every pytest run of a project, whether its tests use the fixtures.

Builds a throwaway one-test project (no fixture used) in a temporary folder and runs pytest there
`--runs` times with the plugin loaded and as many with `-p no:front_emulator`, alternating, then prints
both medians and the difference (target: <= 30 ms), and what loading the plugin imports
(`python -X importtime`). Figures from a loaded machine are noisy: compare medians, not single runs.

    .venv/bin/python benchmarks/plugin_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import project

ONE_TEST = "def test_nothing_uses_the_emulator():\n    assert True\n"
# Run in a fresh interpreter with pytest already imported, so only the plugin's own imports are counted.
IMPORTS = """
import sys
import pytest
before = set(sys.modules)
import emulator.pytest_plugin
print(" ".join(sorted(name for name in set(sys.modules) - before if "." not in name)))
"""


def pytest_seconds(folder: Path, *options: str) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options]
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def plugin_imports(folder: Path) -> tuple[str, int]:
    """The top-level modules loading the plugin brings in, and its cumulative import time (µs)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORTS],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    cumulative = next(
        int(line.split("|")[1])
        for line in done.stderr.splitlines()
        if line.rstrip().endswith("| emulator.pytest_plugin")
    )
    return done.stdout.strip(), cumulative


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="pytest runs per side (default 15)")
    args = parser.parse_args()
    with project({"test_one.py": ONE_TEST}) as folder:
        pytest_seconds(folder)  # warm the file system cache and the .pyc files of both sides
        with_plugin, without_plugin = [], []
        for _ in range(args.runs):
            with_plugin.append(pytest_seconds(folder))
            without_plugin.append(pytest_seconds(folder, "-p", "no:front_emulator"))
        modules, cumulative = plugin_imports(folder)
    on = statistics.median(with_plugin) * 1000
    off = statistics.median(without_plugin) * 1000
    print(f"pytest on a one-test project, plugin loaded:        median {on:.0f} ms over {args.runs} runs")
    print(f"pytest on a one-test project, -p no:front_emulator: median {off:.0f} ms over {args.runs} runs")
    print(f"plugin load cost: {on - off:+.0f} ms (target <= 30 ms)")
    print(f"import emulator.pytest_plugin after pytest: {cumulative / 1000:.1f} ms, new modules: {modules}")


if __name__ == "__main__":
    main()
