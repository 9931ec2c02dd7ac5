"""Workspace files: which file a name means, reading it (bounded), parsing JSON or YAML, validating it.

One rule for every door (`front-emulator serve --workspace`, the pytest marker and settings, and
`POST /_emulator/seed`): the bare name of a packaged fixture (`multi-channel-workspace.json`, also
written `fixtures/multi-channel-workspace.json` as it sits in the repository) means that packaged file;
anything else is a path, relative to the working directory. `./name.json` is always a path.

The domain (`emulator.domain.workspace`) builds a Workspace from a checked document and does no I/O.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import yaml

from emulator.config import DEFAULT_WORKSPACE
from emulator.domain.workspace import Workspace
from emulator.domain.workspace_document import workspace_from_document, workspace_problems
from emulator.schemas import validator

# Far above any real workspace (the packaged ones are a few kB); a file is never read past this.
MAX_WORKSPACE_FILE_BYTES = 5 * 1024 * 1024
# The packaged fixtures sit in fixtures/ of the repository, and in emulator/fixture_files/ in the wheel.
_REPOSITORY_FOLDER = "fixtures"


class WorkspaceFileError(ValueError):
    """A workspace file cannot be loaded; the message names the file and the line or field at fault."""


def packaged_fixtures_directory() -> Path:
    """The packaged fixtures (fixtures/ of the checkout, or the copy inside the wheel)."""
    installed = resources.files("emulator") / "fixture_files"
    if (installed / DEFAULT_WORKSPACE).is_file():
        return Path(str(installed))
    return Path(__file__).resolve().parents[1] / _REPOSITORY_FOLDER


def default_workspace_path() -> Path:
    return packaged_fixtures_directory() / DEFAULT_WORKSPACE


def packaged_fixture_names() -> list[str]:
    return sorted(
        path.name for path in packaged_fixtures_directory().iterdir() if path.suffix in (".json", ".yaml")
    )


def resolve_workspace_file(given: str | os.PathLike[str]) -> Path:
    """The file `given` means: a packaged fixture for its bare name, otherwise the path made absolute."""
    text = os.fspath(given)
    folder, separator, rest = text.partition("/")
    name = rest if separator and folder == _REPOSITORY_FOLDER else text
    if "/" not in name and os.sep not in name and name not in ("", ".", ".."):
        packaged = packaged_fixtures_directory() / name
        if packaged.is_file():
            return packaged
    return Path(text).absolute()


def load_workspace_file(given: str | os.PathLike[str] | None = None) -> Workspace:
    """Read the workspace `given` names (None: the default one), validate it and build it."""
    path = default_workspace_path() if given is None else resolve_workspace_file(given)
    return workspace_from_checked_document(_read_document(path), source=str(path))


def workspace_from_checked_document(document: object, source: str) -> Workspace:
    """Validate a workspace document, reporting every bad field and duplicate id, then build it."""
    problems = validator("workspace").details(document)
    if not problems and isinstance(document, dict):
        problems = workspace_problems(document)
    if problems:
        raise WorkspaceFileError(f"{source} is not a valid workspace:\n  " + "\n  ".join(problems))
    assert isinstance(document, dict)
    return workspace_from_document(document)


def seedable_workspace_file(given: str, allowed_directories: Iterable[Path]) -> Path | None:
    """The real file `POST /_emulator/seed` may read for `given`, or None when it must refuse it.

    Symlinks and `..` are resolved before the check, so neither leads out of an allowed directory.
    """
    try:
        path = _real(resolve_workspace_file(given))
    except ValueError:  # a NUL byte: no file it could be
        return None
    if any(path.is_relative_to(directory) for directory in allowed_directories):
        return path
    return None


def seed_directories(workspace_path: Path | None, fixtures_dirs: Iterable[Path]) -> list[Path]:
    """The directories a server's seed may read from: the packaged fixtures, the directory of the
    workspace it started with and every `--fixtures-dir`, each resolved as the check needs."""
    directories = [_real(packaged_fixtures_directory())]
    if workspace_path is not None:
        directories.append(_real(resolve_workspace_file(workspace_path)).parent)
    directories += [_real(Path(directory)) for directory in fixtures_dirs]
    return directories


def _real(path: Path) -> Path:
    """Symlinks and `..` resolved; unlike Path.resolve, a symlink loop is left for the read to refuse."""
    return Path(os.path.realpath(path))


def _read_document(path: Path) -> object:
    text = _read_bounded(path)
    is_yaml = path.suffix in (".yaml", ".yml")
    try:
        document = yaml.safe_load(text) if is_yaml else json.loads(text)
    except json.JSONDecodeError as error:
        raise WorkspaceFileError(f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise WorkspaceFileError(f"{where}: invalid YAML: {getattr(error, 'problem', error)}") from None
    # YAML reads an empty file (or one of comments only) as null; JSON refuses it above.
    if is_yaml and document is None:
        raise WorkspaceFileError(
            f"{path} is empty: a workspace needs channels, tokens and api_secret "
            f"(start from the packaged {DEFAULT_WORKSPACE})"
        )
    return document


def _read_bounded(path: Path) -> str:
    """The file's text, never reading more than the cap, and never blocking on a FIFO or a device."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        hint = f" (packaged fixtures by name: {', '.join(packaged_fixture_names())})"
        raise WorkspaceFileError(f"cannot read workspace file {path}: {reason}{hint}") from None
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise WorkspaceFileError(f"cannot read workspace file {path}: not a regular file")
        data = file.read(MAX_WORKSPACE_FILE_BYTES + 1)
    if len(data) > MAX_WORKSPACE_FILE_BYTES:
        raise WorkspaceFileError(
            f"workspace file {path} is larger than {MAX_WORKSPACE_FILE_BYTES // (1024 * 1024)} MB"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WorkspaceFileError(f"cannot read workspace file {path}: not UTF-8 ({error.reason})") from None
