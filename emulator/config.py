"""Every setting of the emulator in one frozen dataclass, built from CLI flags, env or fixture args."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from emulator.domain.creation_delay import MAX_CREATION_DELAY_SECONDS, CreationDelay
from emulator.listening import url_host

DEFAULT_WORKSPACE = "default-workspace.json"


class ConfigError(ValueError):
    """A setting was given a value the emulator cannot use; the message says which and why."""


def parse_creation_delay(text: str) -> CreationDelay:
    """Read `S` or `MIN..MAX` (seconds, floats allowed), as --creation-delay and the env give it."""
    low_text, sep, high_text = text.partition("..")
    try:
        low = float(low_text)
        high = float(high_text) if sep else low
    except ValueError:
        raise ConfigError(
            f"creation delay {text!r} is not a number of seconds or a MIN..MAX range (e.g. 0.5..2)"
        ) from None
    try:
        return CreationDelay(low, high)
    except ValueError:
        raise ConfigError(
            f"creation delay {text!r} must satisfy 0 <= MIN <= MAX <= {MAX_CREATION_DELAY_SECONDS:g} seconds"
        ) from None


@dataclass(frozen=True, slots=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8025
    # None means the default workspace shipped with the package.
    workspace_path: Path | None = None
    # Where POST /_emulator/seed {"path": …} may read, besides the packaged fixtures and
    # workspace_path's folder (`--fixtures-dir`).
    fixtures_dirs: tuple[Path, ...] = ()
    creation_delay: CreationDelay = field(default_factory=CreationDelay)
    seed: int | None = None
    # Requests per minute for the whole company, as Front's plans (50/100/200); None = not enforced.
    rate_limit_per_minute: int | None = None
    # Front's 5 requests/second burst per channel on incoming_messages.
    burst_limit: bool = False
    # Phone-like handles without a country code become +1…, as Front documents.
    normalise_phone_handles: bool = True
    # Largest JSON body accepted (Front publishes none); multipart bodies get attachments on top.
    max_json_bytes: int = 1024 * 1024
    max_attachments_bytes: int = 25 * 1024 * 1024
    # Check every response the emulator writes against schemas/ (on in the test suite).
    validate_responses: bool = False
    # Where integrations reach the emulator (`_links` in payloads); None means http://{host}:{port}.
    public_url: str | None = None
    # Host names served besides localhost, the bound name and IP addresses (emulator/guard.py): CI
    # service names such as `ci-emulator`.
    allowed_hosts: tuple[str, ...] = ()
    # `front-emulator serve`'s bounds on what a client may hold (emulator/serving.py): the request line
    # and headers (431 beyond), seconds for them to arrive and seconds a body may stop arriving (408).
    max_header_bytes: int = 64 * 1024
    header_timeout: float = 10.0
    body_idle_timeout: float = 10.0

    @property
    def base_url(self) -> str:
        if self.public_url is not None:
            return self.public_url.rstrip("/")
        return f"http://{url_host(self.host)}:{self.port}"


def config_from_env(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Settings given as FRONT_EMULATOR_* environment variables (CLI flags override them)."""
    env = os.environ if environ is None else environ
    found: dict[str, object] = {}
    if "FRONT_EMULATOR_HOST" in env:
        found["host"] = env["FRONT_EMULATOR_HOST"]
    if "FRONT_EMULATOR_PORT" in env:
        found["port"] = _int_setting("FRONT_EMULATOR_PORT", env["FRONT_EMULATOR_PORT"])
    if "FRONT_EMULATOR_WORKSPACE" in env:
        found["workspace_path"] = Path(env["FRONT_EMULATOR_WORKSPACE"])
    if "FRONT_EMULATOR_FIXTURES_DIR" in env:
        found["fixtures_dirs"] = tuple(
            Path(folder) for folder in env["FRONT_EMULATOR_FIXTURES_DIR"].split(os.pathsep) if folder
        )
    if "FRONT_EMULATOR_CREATION_DELAY" in env:
        found["creation_delay"] = parse_creation_delay(env["FRONT_EMULATOR_CREATION_DELAY"])
    if "FRONT_EMULATOR_SEED" in env:
        found["seed"] = _int_setting("FRONT_EMULATOR_SEED", env["FRONT_EMULATOR_SEED"])
    if "FRONT_EMULATOR_RATE_LIMIT" in env:
        found["rate_limit_per_minute"] = _int_setting(
            "FRONT_EMULATOR_RATE_LIMIT", env["FRONT_EMULATOR_RATE_LIMIT"]
        )
    if "FRONT_EMULATOR_BURST_LIMIT" in env:
        found["burst_limit"] = env["FRONT_EMULATOR_BURST_LIMIT"].lower() in {"1", "true", "yes", "on"}
    if "FRONT_EMULATOR_ALLOWED_HOSTS" in env:
        found["allowed_hosts"] = allowed_host_names(env["FRONT_EMULATOR_ALLOWED_HOSTS"].split(","))
    return found


def allowed_host_names(names: Iterable[str]) -> tuple[str, ...]:
    """`--allow-host` values: host names as clients put them in Host (a port, if given, is ignored)."""
    found = tuple(name.strip() for name in names if name.strip())
    for name in found:
        if "/" in name or "@" in name or any(character.isspace() for character in name):
            raise ConfigError(f"allowed host {name!r} is not a host name (e.g. ci-emulator, without http://)")
    return found


def _int_setting(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not an integer") from None
