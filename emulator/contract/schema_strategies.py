"""Hypothesis strategies from the JSON Schemas in schemas/, for the keywords those schemas use.

Built here rather than with a library: the schemas use a handful of keywords (``type``, ``enum``,
``const``, ``pattern``, ``minLength``/``maxLength``, ``minimum``/``maximum``, ``format: uri``,
``oneOf``/``anyOf``, ``$ref``, ``properties``/``required``/``additionalProperties``, ``items``,
``minItems``/``maxItems``), and a strategy assembled once from ``fixed_dictionaries`` and ``lists`` draws
a document in a fraction of a millisecond. A keyword this module does not know raises ``ValueError``
instead of being ignored, so a schema that grows a new constraint cannot silently yield invalid documents.

Objects without ``additionalProperties: false`` also get a few undeclared fields (clients send them, and
the emulator must ignore them); strings exclude U+0000 unless ``allow_x00``.

>>> from emulator.contract.schema_strategies import from_schema, resolved
>>> strategy = from_schema(resolved("recipient"))
"""

from __future__ import annotations

import copy
import json
from functools import cache, partial
from typing import Any

from hypothesis import strategies as st

from emulator.schemas import all_schemas

__all__ = ["from_schema", "json_values", "resolved"]

# Keywords that only document a schema; they constrain nothing.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "x-error"})
_KNOWN = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "format",
        "oneOf",
        "anyOf",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
    }
)
_ALL_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
# Undeclared fields of an open object: few and small, enough to show they are ignored.
_MAX_EXTRA_FIELDS = 2


def resolved(name: str) -> dict[str, Any]:
    """The schema ``schemas/<name>.json`` with every ``$ref`` replaced by its target and annotations
    dropped: self-contained, so callers can tighten nested parts with plain dict edits."""
    schema: dict[str, Any] = _inline_refs(all_schemas()[name], name)
    return schema


def _inline_refs(node: Any, current: str) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, current) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        # other.json, other.json#/$defs/x or #/$defs/x
        name, _, fragment = node["$ref"].partition("#")
        name = name.removesuffix(".json") or current
        target: Any = all_schemas()[name]
        for part in [p for p in fragment.split("/") if p]:
            target = target[part]
        return _inline_refs(copy.deepcopy(target), name)
    inlined = {key: _inline_refs(value, current) for key, value in node.items() if key not in _ANNOTATIONS}
    if isinstance(node.get("properties"), dict):
        # Field names, not keywords: a field may be called "title" or "description".
        inlined["properties"] = {name: _inline_refs(sub, current) for name, sub in node["properties"].items()}
    return inlined


def from_schema(schema: dict[str, Any], *, allow_x00: bool = False) -> st.SearchStrategy[Any]:
    """Documents valid against ``schema`` (without ``$ref``: pass it through :func:`resolved`).

    Strategies are cached by schema, so calling this again for the same schema costs a JSON dump.
    """
    return _compiled(json.dumps(schema, sort_keys=True), allow_x00)


@cache
def _compiled(schema_json: str, allow_x00: bool) -> st.SearchStrategy[Any]:
    return _strategy(json.loads(schema_json), allow_x00)


def _strategy(schema: dict[str, Any], allow_x00: bool) -> st.SearchStrategy[Any]:
    unknown = set(schema) - _KNOWN - _ANNOTATIONS
    if unknown:
        raise ValueError(f"schema keyword(s) {sorted(unknown)} not supported by the contract strategies")
    if "const" in schema:
        value = schema["const"]
        # A fresh copy each draw: callers may change the documents they get.
        return st.just(value).map(copy.deepcopy) if isinstance(value, dict | list) else st.just(value)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            rest = {key: value for key, value in schema.items() if key != keyword}
            # Every branch is a schema of its own here; the keywords beside oneOf only hold for a
            # document that is also one of the branches, and no schema of ours puts any there.
            if set(rest) - _ANNOTATIONS:
                raise ValueError(f"keywords beside {keyword} are not supported: {sorted(rest)}")
            return st.one_of([from_schema(branch, allow_x00=allow_x00) for branch in schema[keyword]])
    if not set(schema) - _ANNOTATIONS:
        return json_values(allow_x00)
    kinds = schema.get("type", _ALL_TYPES)
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    return st.one_of([_of_type(kind, schema, allow_x00) for kind in kinds])


def _of_type(kind: str, schema: dict[str, Any], allow_x00: bool) -> st.SearchStrategy[Any]:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        finite = st.floats(low, high, allow_nan=False, allow_infinity=False)
        return st.one_of(st.integers(low, high), finite)
    if kind == "string":
        return _strings(schema, allow_x00)
    if kind == "array":
        items = schema.get("items", {})
        return st.lists(
            from_schema(items, allow_x00=allow_x00),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems"),
        )
    if kind == "object":
        return _objects(schema, allow_x00)
    raise ValueError(f"unknown JSON Schema type {kind!r}")


def _strings(schema: dict[str, Any], allow_x00: bool) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if "format" in schema:
        if schema["format"] != "uri":
            raise ValueError(f"string format {schema['format']!r} not supported by the contract strategies")
        strings = _uris()
    elif "pattern" in schema:
        strings = st.from_regex(schema["pattern"], fullmatch=True)
    else:
        return st.text(_characters(allow_x00), min_size=low, max_size=high)
    if low or high is not None:
        return strings.filter(lambda text: low <= len(text) and (high is None or len(text) <= high))
    return strings


def _characters(allow_x00: bool) -> st.SearchStrategy[str]:
    # Any character but lone surrogates, which no JSON encoder writes.
    return st.characters(codec="utf-8", exclude_characters=None if allow_x00 else "\x00")


@cache
def _uris() -> st.SearchStrategy[str]:
    segment = st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True)
    return st.builds(
        lambda scheme, host, port, path: f"{scheme}://{host}{port}/{'/'.join(path)}",
        st.sampled_from(["http", "https"]),
        st.sampled_from(["127.0.0.1", "localhost", "api2.frontapp.com", "example.test"]),
        st.sampled_from(["", ":8025", ":443"]),
        st.lists(segment, max_size=4),
    )


def _objects(schema: dict[str, Any], allow_x00: bool) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Any] = schema.get("properties", {})
    required: list[str] = schema.get("required", [])
    names = required + [name for name in properties if name not in required]
    # A tuple of values, an optional one possibly _ABSENT: one choice per optional field, where
    # fixed_dictionaries makes three, and a Message has dozens of fields.
    fields = []
    for name in names:
        value = from_schema(properties.get(name, {}), allow_x00=allow_x00)
        fields.append(value if name in required else st.one_of(st.just(_ABSENT), value))
    declared = st.tuples(*fields).map(partial(_present, names))
    additional = schema.get("additionalProperties", True)
    if additional is False:
        return declared
    values = json_values(allow_x00) if additional is True else from_schema(additional, allow_x00=allow_x00)
    extra = st.dictionaries(
        st.text(_characters(allow_x00), max_size=12).filter(lambda key: key not in properties),
        values,
        max_size=_MAX_EXTRA_FIELDS,
    )
    return st.builds(lambda fields, more: {**more, **fields}, declared, extra)


_ABSENT = object()


def _present(names: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
    return {name: value for name, value in zip(names, values, strict=True) if value is not _ABSENT}


@cache
def json_values(allow_x00: bool = False) -> st.SearchStrategy[Any]:
    """Any JSON value, small: what an open object may carry besides its declared fields."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(_characters(allow_x00), max_size=20),
    )
    keys = st.text(_characters(allow_x00), max_size=12)
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
        max_leaves=6,
    )
