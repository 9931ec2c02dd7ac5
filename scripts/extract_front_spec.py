"""Regenerate spec/*.extract.json: the structural facts of Front's published OpenAPI documents.

Front publishes its API as OpenAPI 3.0 files in the public GitHub repository frontapp/front-api-specs.
The tests compare schemas/ with them, so the repository keeps its own extract: the operations and
schemas the emulator implements or is about to, with every structural keyword (types, required, enums,
patterns, formats, nullable, combinators, $refs, parameters, scopes) and none of the prose (descriptions,
summaries, examples, titles, tags). A keyword this script does not know stops it, so nothing structural
can be dropped unnoticed when Front's files change.

    python scripts/extract_front_spec.py                      # fetch both files from GitHub
    python scripts/extract_front_spec.py --core core-api.json --channel channel-api.json   # offline
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPOSITORY = "frontapp/front-api-specs"
# The published branch; --ref names a commit instead, so that x-source pins the exact version.
DEFAULT_REF = "main"
OUTPUT_DIRECTORY = Path(__file__).resolve().parents[1] / "spec"


@dataclass(frozen=True)
class Source:
    """One published file and what the extract keeps of it."""

    path: str
    output: str
    # Paths whose first segment is one of these are kept (None: every path).
    resources: tuple[str, ...] | None
    # Keep every schema, not only those the kept paths reach.
    every_schema: bool = False

    def url(self, ref: str) -> str:
        return f"https://raw.githubusercontent.com/{REPOSITORY}/{ref}/{self.path}"


@dataclass(frozen=True)
class Provenance:
    """Which published version an extract was made from, and when."""

    ref: str
    sha256: str
    extracted: datetime.date


SOURCES: dict[str, Source] = {
    "core": Source(
        path="core-api/core-api.json",
        output="front-core-api.extract.json",
        # What the emulator serves (channels, messages, conversations, teammates) and what it implements
        # next; imported messages live under /inboxes. The schemas they use come along through $refs.
        resources=(
            "channels",
            "comments",
            "contacts",
            "conversations",
            "events",
            "inboxes",
            "me",
            "messages",
            "tags",
            "teammates",
        ),
    ),
    # The Channel API is small and all of it concerns channels; one of its schemas (the call recording's
    # form fields) is named by no $ref, so "every schema" is asked for explicitly.
    "channel": Source(
        path="channel-api/channel-api.json",
        output="front-channel-api.extract.json",
        resources=None,
        every_schema=True,
    ),
}

# Keywords that carry no structure. Anything neither kept nor listed here is an error.
PROSE = frozenset({"description", "summary", "example", "examples", "title", "tags", "externalDocs"})
SCHEMA_VALUES = frozenset(
    {
        "$ref",
        "type",
        "format",
        "pattern",
        "enum",
        "const",
        "required",
        "nullable",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "discriminator",
    }
)
SCHEMA_SUBSCHEMAS = frozenset({"items", "not", "additionalProperties"})
SCHEMA_LISTS = frozenset({"oneOf", "anyOf", "allOf"})
PARAMETER_VALUES = frozenset(
    {"$ref", "name", "in", "required", "deprecated", "style", "explode", "allowEmptyValue"}
)
OPERATION_VALUES = frozenset({"operationId", "deprecated", "security", "x-required-scopes"})
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
SECURITY_SCHEME_VALUES = frozenset(
    {"type", "scheme", "bearerFormat", "in", "name", "flows", "openIdConnectUrl"}
)


class UnknownKeyword(ValueError):
    """Front's file uses a keyword this script neither keeps nor knows to be prose."""


def _unknown(node: dict[str, Any], known: frozenset[str], where: str) -> None:
    for key in node:
        if key not in known and key not in PROSE:
            raise UnknownKeyword(
                f"{where}: unknown keyword {key!r}; keep it or list it as prose in {__file__}"
            )


def _schema(node: Any, where: str) -> Any:
    if not isinstance(node, dict):
        return node  # additionalProperties: true/false
    _unknown(node, SCHEMA_VALUES | SCHEMA_SUBSCHEMAS | SCHEMA_LISTS | {"properties"}, where)
    kept: dict[str, Any] = {key: node[key] for key in SCHEMA_VALUES if key in node}
    if "properties" in node:
        # Property names are data, not keywords: a property called "description" stays.
        kept["properties"] = {
            name: _schema(child, f"{where}/properties/{name}") for name, child in node["properties"].items()
        }
    for key in SCHEMA_SUBSCHEMAS & node.keys():
        kept[key] = _schema(node[key], f"{where}/{key}")
    for key in SCHEMA_LISTS & node.keys():
        kept[key] = [_schema(child, f"{where}/{key}/{index}") for index, child in enumerate(node[key])]
    return kept


def _content(node: dict[str, Any], where: str) -> dict[str, Any]:
    media_types = {}
    for media_type, media in node.items():
        _unknown(media, frozenset({"schema"}), f"{where}/{media_type}")
        media_types[media_type] = {"schema": _schema(media["schema"], f"{where}/{media_type}/schema")}
    return media_types


def _parameter(node: dict[str, Any], where: str) -> dict[str, Any]:
    _unknown(node, PARAMETER_VALUES | {"schema"}, where)
    kept = {key: node[key] for key in PARAMETER_VALUES if key in node}
    if "schema" in node:
        kept["schema"] = _schema(node["schema"], f"{where}/schema")
    return kept


def _request_body(node: dict[str, Any], where: str) -> dict[str, Any]:
    _unknown(node, frozenset({"$ref", "required", "content"}), where)
    kept = {key: node[key] for key in ("$ref", "required") if key in node}
    if "content" in node:
        kept["content"] = _content(node["content"], f"{where}/content")
    return kept


def _response(node: dict[str, Any], where: str) -> dict[str, Any]:
    _unknown(node, frozenset({"$ref", "content", "headers"}), where)
    kept: dict[str, Any] = {"$ref": node["$ref"]} if "$ref" in node else {}
    if "content" in node:
        kept["content"] = _content(node["content"], f"{where}/content")
    if "headers" in node:
        kept["headers"] = {
            name: _parameter(header, f"{where}/headers/{name}") for name, header in node["headers"].items()
        }
    return kept


def _operation(node: dict[str, Any], where: str) -> dict[str, Any]:
    _unknown(node, OPERATION_VALUES | {"parameters", "requestBody", "responses"}, where)
    kept = {key: node[key] for key in OPERATION_VALUES if key in node}
    if "parameters" in node:
        kept["parameters"] = [
            _parameter(parameter, f"{where}/parameters/{index}")
            for index, parameter in enumerate(node["parameters"])
        ]
    if "requestBody" in node:
        kept["requestBody"] = _request_body(node["requestBody"], f"{where}/requestBody")
    kept["responses"] = {
        status: _response(answer, f"{where}/responses/{status}")
        for status, answer in node["responses"].items()
    }
    return kept


def _path_item(node: dict[str, Any], where: str) -> dict[str, Any]:
    _unknown(node, HTTP_METHODS | {"parameters"}, where)
    kept: dict[str, Any] = {}
    if "parameters" in node:
        kept["parameters"] = [
            _parameter(parameter, f"{where}/parameters/{index}")
            for index, parameter in enumerate(node["parameters"])
        ]
    for method in HTTP_METHODS & node.keys():
        kept[method] = _operation(node[method], f"{where}/{method}")
    return kept


COMPONENT_FILTERS = {
    "schemas": _schema,
    "parameters": _parameter,
    "responses": _response,
    "requestBodies": _request_body,
}


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
                continue
            # A discriminator's mapping names its targets as bare references. (A property that happens to
            # be called "discriminator" or "$ref" is a schema, not a string, and is searched as one.)
            if (
                key == "discriminator"
                and isinstance(value, dict)
                and isinstance(value.get("propertyName"), str)
            ):
                yield from value.get("mapping", {}).values()
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _components(document: dict[str, Any], roots: Any, every_schema: bool) -> dict[str, dict[str, Any]]:
    """The components the kept paths reach, following $refs transitively."""
    available = document.get("components", {})
    kept: dict[str, dict[str, Any]] = {}
    waiting = list(_references(roots))
    if every_schema:
        waiting += [f"#/components/schemas/{name}" for name in available.get("schemas", {})]
    while waiting:
        reference = waiting.pop()
        parts = reference.split("/")
        if len(parts) != 4 or parts[:2] != ["#", "components"] or parts[2] not in COMPONENT_FILTERS:
            raise UnknownKeyword(f"$ref {reference!r} does not point at a component this script extracts")
        kind, name = parts[2], parts[3]
        if name in kept.get(kind, {}):
            continue
        if name not in available.get(kind, {}):
            raise UnknownKeyword(f"$ref {reference!r} points at nothing in the published file")
        node = COMPONENT_FILTERS[kind](available[kind][name], f"{reference[1:]}")
        kept.setdefault(kind, {})[name] = node
        waiting += _references(node)
    return kept


def extract(document: dict[str, Any], source: Source, provenance: Provenance) -> dict[str, Any]:
    paths = {
        path: _path_item(item, f"/paths/{path}")
        for path, item in document["paths"].items()
        if source.resources is None or path.split("/")[1] in source.resources
    }
    components = _components(document, paths, source.every_schema)
    schemes = document.get("components", {}).get("securitySchemes", {})
    if schemes:
        components["securitySchemes"] = {}
    for name, scheme in schemes.items():
        _unknown(scheme, SECURITY_SCHEME_VALUES, f"/components/securitySchemes/{name}")
        components["securitySchemes"][name] = {
            key: scheme[key] for key in SECURITY_SCHEME_VALUES if key in scheme
        }
    return {
        "x-source": {
            "repository": f"https://github.com/{REPOSITORY}",
            "path": source.path,
            "ref": provenance.ref,
            "url": source.url(provenance.ref),
            "sha256": provenance.sha256,
            "extracted": provenance.extracted.isoformat(),
            "kept": "paths under /" + ", /".join(source.resources) if source.resources else "every path",
        },
        "openapi": document["openapi"],
        "info": {key: document["info"][key] for key in ("title", "version")},
        "servers": [{"url": server["url"]} for server in document.get("servers", [])],
        "security": document.get("security", []),
        "paths": paths,
        "components": components,
    }


def render(extract_document: dict[str, Any]) -> str:
    """Sorted keys and a fixed indent: the same input gives the same bytes, and diffs stay readable."""
    return json.dumps(extract_document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _read(location: str) -> bytes:
    if location.startswith(("https://", "http://")):
        with urllib.request.urlopen(location, timeout=60) as answer:
            return answer.read()
    return Path(location).read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for name, source in SOURCES.items():
        parser.add_argument(
            f"--{name}",
            metavar="PATH_OR_URL",
            help=f"a copy of {source.path} (default: fetch {source.url('REF')})",
        )
    parser.add_argument(
        "--ref",
        default=DEFAULT_REF,
        help=f"the branch or commit of {REPOSITORY} the files come from (default: {DEFAULT_REF})",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT_DIRECTORY, help="directory for the extracts")
    parser.add_argument(
        "--date",
        type=datetime.date.fromisoformat,
        default=datetime.datetime.now(datetime.UTC).date(),
        help="extraction date written in x-source (default: today, UTC)",
    )
    options = parser.parse_args(argv)
    extracts = {}
    # Every file is extracted before any is written: a failure leaves the previous extracts whole.
    for name, source in SOURCES.items():
        location = getattr(options, name) or source.url(options.ref)
        raw = _read(location)
        provenance = Provenance(options.ref, hashlib.sha256(raw).hexdigest(), options.date)
        try:
            extracts[source.output] = extract(json.loads(raw), source, provenance)
        except UnknownKeyword as problem:
            print(f"{location}: {problem}", file=sys.stderr)
            return 1
    options.output.mkdir(parents=True, exist_ok=True)
    for output, document in extracts.items():
        target = options.output / output
        target.write_text(render(document), "utf-8")
        schemas = document["components"].get("schemas", {})
        print(f"{target}: {len(document['paths'])} paths, {len(schemas)} schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
