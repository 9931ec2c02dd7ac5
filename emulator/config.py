"""Every setting of the emulator in one frozen dataclass, built from CLI flags, env or fixture args."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_WORKSPACE = "default-workspace.json"


class ConfigError(ValueError):
    """A setting was given a value the emulator cannot use; the message says which and why."""


@dataclass(frozen=True, slots=True)
class CreationDelay:
    """Seconds between a 202 on incoming_messages and the message existing (fixed when low == high)."""

    low: float = 0.0
    high: float = 0.0

    @classmethod
    def parse(cls, text: str) -> CreationDelay:
        """Read `S` or `MIN..MAX` (seconds, floats allowed)."""
        low_text, sep, high_text = text.partition("..")
        try:
            low = float(low_text)
            high = float(high_text) if sep else low
        except ValueError:
            raise ConfigError(
                f"creation delay {text!r} is not a number of seconds or a MIN..MAX range (e.g. 0.5..2)"
            ) from None
        if not (0 <= low <= high) or high > 3600:
            raise ConfigError(f"creation delay {text!r} must satisfy 0 <= MIN <= MAX <= 3600 seconds")
        return cls(low, high)

    def __str__(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}..{self.high:g}"


@dataclass(frozen=True, slots=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8025
    # None means the default workspace shipped with the package.
    workspace_path: Path | None = None
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

    def with_changes(self, **changes: object) -> Config:
        return replace(self, **changes)  # type: ignore[arg-type]


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
    if "FRONT_EMULATOR_CREATION_DELAY" in env:
        found["creation_delay"] = CreationDelay.parse(env["FRONT_EMULATOR_CREATION_DELAY"])
    if "FRONT_EMULATOR_SEED" in env:
        found["seed"] = _int_setting("FRONT_EMULATOR_SEED", env["FRONT_EMULATOR_SEED"])
    if "FRONT_EMULATOR_RATE_LIMIT" in env:
        found["rate_limit_per_minute"] = _int_setting(
            "FRONT_EMULATOR_RATE_LIMIT", env["FRONT_EMULATOR_RATE_LIMIT"]
        )
    if "FRONT_EMULATOR_BURST_LIMIT" in env:
        found["burst_limit"] = env["FRONT_EMULATOR_BURST_LIMIT"].lower() in {"1", "true", "yes", "on"}
    return found


def _int_setting(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not an integer") from None
