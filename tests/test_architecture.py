"""The import contract, read from the source with `ast` (nothing is imported or run):

- emulator/domain/ is the pure model: no HTTP, templating, YAML or schema libraries, no file system
  (os, pathlib, open()), and nothing of the emulator outside the domain;
- emulator/wire/ (Front's wire format) serves the doors and imports none of them;
- a door (api, control, ui, outbound) never imports another door.

And the tests mirror the package: a top-level tests/test_X.py is about emulator/X (a module or package)
or is one of the suite-wide checks; everything else lives in the mirror (tests/api/test_reading.py …).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "emulator"
TESTS = Path(__file__).resolve().parent
DOORS = frozenset({"api", "control", "ui", "outbound"})
# Top-level tests about the whole tree rather than one module: the docs, the built wheel, schemas/ against
# Front's spec, spec/'s extract, fixtures/, the CI recipes, the Node example, and this file.
SUITE_WIDE_TESTS = frozenset(
    {"architecture", "ci_recipes", "docs", "fixtures", "node_example", "schemas", "spec_extract", "wheel"}
)
DOMAIN_FORBIDDEN_LIBRARIES = frozenset(
    {"starlette", "httpx", "uvicorn", "jinja2", "yaml", "jsonschema", "jsonschema_rs", "os", "pathlib"}
)


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.imported} ({self.rule})"


def _imports(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of every import, `open(...)` call included as the name "open()"."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from emulator import api` imports the package emulator.api.
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names if name == "emulator"]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            found.append((node.lineno, "open()"))
    return found


def _layer(dotted: str) -> str | None:
    """emulator.api.reading -> api; None for anything outside the emulator package."""
    parts = dotted.split(".")
    return parts[1] if parts[0] == "emulator" and len(parts) > 1 else None


def check_module(source: str, module: str, path: str = "<source>") -> list[Violation]:
    """Every import of `source` (the text of emulator module `module`) that breaks the contract."""
    own = _layer(module)
    violations = []
    for line, imported in _imports(ast.parse(source), module):
        target = _layer(imported)
        top = imported.split(".")[0]
        if own == "domain":
            if imported == "open()" or top in DOMAIN_FORBIDDEN_LIBRARIES:
                violations.append(Violation(path, line, imported, "the domain does no HTTP or I/O"))
            elif target not in (None, "domain"):
                violations.append(Violation(path, line, imported, "the domain imports no other layer"))
        elif own == "wire" and target in DOORS:
            violations.append(Violation(path, line, imported, "the wire format imports no door"))
        elif own in DOORS and target in DOORS and target != own:
            violations.append(Violation(path, line, imported, f"door {own} imports door {target}"))
    return violations


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def check_package(root: Path = PACKAGE) -> list[Violation]:
    violations = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        violations += check_module(text, _module_name(path), str(path.relative_to(root.parent)))
    return violations


def test_the_emulator_keeps_its_import_contract():
    assert [str(violation) for violation in check_package()] == []


def test_every_layer_the_contract_names_exists():
    """A renamed package would make its rule vacuous; the contract must follow it."""
    present = {path.stem if path.is_file() else path.name for path in PACKAGE.iterdir()}
    assert {"domain", "wire", *DOORS} <= present


def test_top_level_tests_are_about_a_top_level_module_or_the_whole_tree():
    """tests/test_X.py (or test_X_more.py) for emulator/X; anything else belongs in the mirror."""
    modules = {path.stem if path.is_file() else path.name for path in PACKAGE.iterdir()} - {"__init__"}
    misplaced = [
        path.name
        for path in sorted(TESTS.glob("test_*.py"))
        if path.stem.removeprefix("test_") not in SUITE_WIDE_TESTS
        and not any(
            path.stem.removeprefix("test_") == module or path.stem.startswith(f"test_{module}_")
            for module in modules
        )
    ]
    assert misplaced == [], "move these into the mirror of the package (tests/api/, tests/domain/, …)"


@pytest.mark.parametrize(
    ("module", "source", "rule"),
    [
        ("emulator.domain.store", "from starlette.requests import Request\n", "no HTTP or I/O"),
        ("emulator.domain.store", "import os.path\n", "no HTTP or I/O"),
        ("emulator.domain.workspace", "from pathlib import Path\n", "no HTTP or I/O"),
        ("emulator.domain.workspace", "data = open('x.yaml').read()\n", "no HTTP or I/O"),
        ("emulator.domain.store", "from emulator.config import Config\n", "no other layer"),
        ("emulator.domain.store", "from emulator import wire\n", "no other layer"),
        (
            "emulator.domain.store",
            "from emulator.workspace_files import load_workspace_file\n",
            "no other layer",
        ),
        ("emulator.domain.sending", "from ..api.errors import FrontError\n", "no other layer"),
        ("emulator.wire.errors", "from emulator.ui.pages import page\n", "imports no door"),
        ("emulator.outbound.delivery", "from emulator.api import reading\n", "outbound imports door api"),
        ("emulator.ui.pages", "from emulator.control import state\n", "door ui imports door control"),
        ("emulator.control.outbox", "from ..api import sending\n", "door control imports door api"),
    ],
)
def test_the_checker_catches_a_planted_bad_import(module, source, rule):
    [violation] = check_module(source, module)
    assert rule in violation.rule


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("emulator.domain.store", "from emulator.domain.clock import Clock\nimport heapq\n"),
        ("emulator.domain.sending", "from .rules import Refusal\n"),
        ("emulator.wire.errors", "from emulator.domain.rules import Refusal\nimport starlette\n"),
        ("emulator.api.sending", "from emulator.wire.documents import checked\n"),
        ("emulator.ui.pages", "from emulator.ui.templating import render\n"),
        ("emulator.app", "from emulator.api.reading import get_message\nfrom emulator.ui import routes\n"),
    ],
)
def test_the_checker_allows_what_the_layers_may_import(module, source):
    assert check_module(source, module) == []
