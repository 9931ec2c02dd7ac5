"""The JSON Schemas in schemas/, loaded once, compiled twice.

A compiled validator (jsonschema-rs) answers "is this valid?" on the hot path; `jsonschema` explains
only what is invalid, as one `"/json/pointer: reason"` line per bad field, the way Front's `details` read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from referencing import Registry, Resource

BASE_URI = "https://front-emulator.local/schemas/"
_TYPE_NAMES = {
    "string": "a string",
    "object": "an object",
    "array": "an array",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


class SchemaViolation(ValueError):
    """A document does not match its schema; `details` holds one line per bad field."""

    def __init__(self, schema_name: str, details: list[str]) -> None:
        super().__init__(f"{schema_name}: " + "; ".join(details))
        self.schema_name = schema_name
        self.details = details


def schema_directory() -> Path:
    """schemas/ of the checkout, or the copy installed inside the wheel as emulator.schema_files."""
    installed = resources.files("emulator") / "schema_files"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "schemas"


@cache
def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema by file name without `.json`."""
    directory = schema_directory()
    return {path.stem: json.loads(path.read_text("utf-8")) for path in sorted(directory.glob("*.json"))}


@cache
def _python_registry() -> Registry:
    resources_ = [
        (BASE_URI + name + ".json", Resource.from_contents(doc)) for name, doc in all_schemas().items()
    ]
    return Registry().with_resources(resources_)


@cache
def _rust_registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry([(BASE_URI + name + ".json", doc) for name, doc in all_schemas().items()])


class Validator:
    def __init__(self, name: str) -> None:
        schema = all_schemas()[name]
        self.name = name
        self._fast = jsonschema_rs.validator_for(schema, registry=_rust_registry())
        self._explaining = jsonschema.Draft202012Validator(
            schema, registry=_python_registry(), format_checker=jsonschema.FormatChecker()
        )
        self.is_valid = self._fast.is_valid

    def details(self, instance: object) -> list[str]:
        """One line per bad field, sorted by JSON pointer; empty when the instance is valid."""
        lines: dict[str, str] = {}
        for error in self._explaining.iter_errors(instance):
            for pointer, reason in _describe(error):
                lines.setdefault(pointer, reason)
        return [f"{pointer}: {reason}" for pointer, reason in sorted(lines.items())]

    def check(self, instance: object) -> None:
        if not self._fast.is_valid(instance):
            raise SchemaViolation(self.name, self.details(instance) or ["does not match the schema"])


@cache
def validator(name: str) -> Validator:
    if name not in all_schemas():
        raise KeyError(f"no schema named {name!r} in {schema_directory()}")
    return Validator(name)


def _pointer(path: Iterator[object] | Any) -> str:
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in path]
    return "/" + "/".join(parts) if parts else "/"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _join(pointer: str, key: str) -> str:
    escaped = key.replace("~", "~0").replace("/", "~1")
    return pointer.rstrip("/") + "/" + escaped if pointer != "/" else "/" + escaped


def _describe(error: jsonschema.ValidationError) -> list[tuple[str, str]]:
    pointer = _pointer(error.absolute_path)
    keyword = error.validator
    if isinstance(error.schema, dict) and "x-error" in error.schema:
        # The schema states the reason itself where a generic one would mislead.
        return [(pointer, error.schema["x-error"])]
    # jsonschema types these as "maybe unset"; a reported error always has them.
    value: Any = error.validator_value
    schema: Any = error.schema
    instance = error.instance
    if keyword in ("oneOf", "anyOf") and error.context:
        return _describe_alternatives(error, pointer)
    if keyword == "required":
        present = instance if isinstance(instance, dict) else {}
        return [(_join(pointer, name), "required") for name in value if name not in present]
    if keyword == "additionalProperties":
        allowed = schema.get("properties", {})
        extra = [key for key in instance if key not in allowed] if isinstance(instance, dict) else []
        return [(_join(pointer, key), "is not a known field") for key in extra]
    if keyword == "type":
        names = [value] if isinstance(value, str) else list(value)
        return [(pointer, "must be " + " or ".join(_TYPE_NAMES.get(name, name) for name in names))]
    if keyword == "enum":
        options = ", ".join("null" if option is None else str(option) for option in value)
        return [(pointer, f"must be one of: {options}")]
    if keyword == "const":
        return [(pointer, f"must be {json.dumps(value)}")]
    if keyword == "minLength":
        return [(pointer, "must not be empty" if value == 1 else f"must be at least {value} characters long")]
    if keyword == "maxLength":
        return [(pointer, f"must be at most {value} characters long")]
    if keyword == "maxItems":
        reason = "must be empty" if value == 0 else f"must have at most {value} item{_plural(value)}"
        return [(pointer, reason)]
    if keyword == "minItems":
        return [(pointer, "must not be empty" if value == 1 else f"must have at least {value} items")]
    if keyword == "minProperties":
        return [(pointer, "must not be empty" if value == 1 else f"must have at least {value} fields")]
    if keyword == "pattern":
        return [(pointer, f"must match the pattern {value}")]
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        comparison = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        return [(pointer, f"must be {comparison[keyword]} {value}")]
    return [(pointer, error.message)]


def _describe_alternatives(error: jsonschema.ValidationError, pointer: str) -> list[tuple[str, str]]:
    """oneOf/anyOf (e.g. `null` or a teammate): explain the branch of the instance's type, else the types."""
    branches: dict[object, list[jsonschema.ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    wanted: list[str] = []
    for subs in branches.values():
        wrong_type = [s for s in subs if s.validator == "type" and _pointer(s.absolute_path) == pointer]
        if not wrong_type:
            return [line for sub in subs for line in _describe(sub)]
        for sub in wrong_type:
            names: Any = sub.validator_value
            wanted += [names] if isinstance(names, str) else list(names)
    names = list(dict.fromkeys(wanted))
    return [(pointer, "must be " + " or ".join(_TYPE_NAMES.get(name, name) for name in names))]
