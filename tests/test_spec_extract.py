"""spec/: the repository's extract of Front's published OpenAPI files, and the script that makes it.

The script runs as a developer runs it (a subprocess, local files, no network); the committed extracts
must be self-contained (every $ref resolves inside the file) and hold nothing the script would drop."""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "extract_front_spec.py"
EXTRACTS = {
    "core": ROOT / "spec" / "front-core-api.extract.json",
    "channel": ROOT / "spec" / "front-channel-api.extract.json",
}
PUBLISHED = {"core": "core-api/core-api.json", "channel": "channel-api/channel-api.json"}
RAW = "https://raw.githubusercontent.com/frontapp/front-api-specs"

# Parts of the sample as the extract keeps them; SAMPLE adds the prose and the example the script drops.
KEPT_TAG_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "pattern": "^tag_"},
    "name": {"type": "string", "maxLength": 100},
    "description": {"type": "string", "nullable": True},
    "highlight": {"type": "string", "enum": ["red", "blue"], "nullable": True},
    "parent": {"$ref": "#/components/schemas/TagParent", "nullable": True},
    "owner": {
        "oneOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"teammate": "#/components/schemas/TeammateOwner"},
        },
    },
    "updated_at": {"type": "number", "format": "double"},
    "labels": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
}
KEPT_TAG_ID_PARAMETER = {
    "in": "path",
    "name": "tag_id",
    "required": True,
    "schema": {"type": "string", "default": "tag_123"},
}

# A small OpenAPI 3.0 document with the shapes Front's files use: prose at every level, a property named
# like a keyword, $ref with a nullable sibling, a discriminator, shared parameters and responses, a path
# outside the core extract and a schema nothing refers to.
SAMPLE: dict[str, Any] = {
    "openapi": "3.0.0",
    "x-api-id": "sample",
    "info": {"title": "Core API", "version": "1.0.0", "contact": {"name": "Front Platform"}},
    "security": [{"http": []}],
    "servers": [{"url": "https://api2.frontapp.com", "description": "production"}],
    "components": {
        "securitySchemes": {
            "http": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "a token"}
        },
        "parameters": {
            "limit": {
                "in": "query",
                "name": "limit",
                "description": "Max number of results",
                "schema": {"type": "integer", "maximum": 100, "default": 50, "example": 10},
            }
        },
        "responses": {
            "tag": {
                "description": "A tag",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagResponse"}}},
            },
            "unused": {"description": "nothing points here"},
        },
        "schemas": {
            "TagResponse": {
                "type": "object",
                "title": "Tag",
                "description": "A tag",
                "required": ["id", "name"],
                "properties": {
                    **KEPT_TAG_PROPERTIES,
                    "id": {**KEPT_TAG_PROPERTIES["id"], "example": "tag_1"},
                    "description": {**KEPT_TAG_PROPERTIES["description"], "description": "what it is for"},
                },
            },
            "TagParent": {"allOf": [{"$ref": "#/components/schemas/Owner"}], "description": "parent"},
            "Owner": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"kind": {"type": "string"}},
            },
            "TeammateOwner": {"type": "object", "additionalProperties": {"type": "string"}},
            "CreateTag": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "description": "Name"}},
            },
            "Unreferenced": {"type": "string", "description": "kept only where every schema is asked for"},
        },
    },
    "paths": {
        "/tags/{tag_id}": {
            "get": {
                "summary": "Get tag",
                "operationId": "get-tag",
                "description": "Fetch a tag. Required scope: `tags:read`",
                "tags": ["Tags"],
                "parameters": [
                    {**KEPT_TAG_ID_PARAMETER, "description": "The tag ID"},
                    {"$ref": "#/components/parameters/limit"},
                ],
                "responses": {"200": {"$ref": "#/components/responses/tag"}},
                "x-required-scopes": ["tags:read"],
            },
            "patch": {
                "summary": "Update tag",
                "operationId": "update-tag",
                "deprecated": True,
                "requestBody": {
                    "description": "Tag",
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateTag"}}},
                },
                "responses": {"204": {"description": "No content"}},
                "x-required-scopes": ["tags:write"],
            },
        },
        "/analytics/reports": {
            "post": {
                "summary": "Not an emulated resource",
                "operationId": "create-report",
                "responses": {"201": {"description": "Created"}},
            }
        },
    },
}

EXPECTED_PATH_ITEM = {
    "get": {
        "operationId": "get-tag",
        "parameters": [
            KEPT_TAG_ID_PARAMETER,
            {"$ref": "#/components/parameters/limit"},
        ],
        "responses": {"200": {"$ref": "#/components/responses/tag"}},
        "x-required-scopes": ["tags:read"],
    },
    "patch": {
        "operationId": "update-tag",
        "deprecated": True,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateTag"}}},
        },
        "responses": {"204": {}},
        "x-required-scopes": ["tags:write"],
    },
}
EXPECTED_SCHEMAS = {
    "TagResponse": {
        "type": "object",
        "required": ["id", "name"],
        "properties": KEPT_TAG_PROPERTIES,
    },
    "TagParent": {"allOf": [{"$ref": "#/components/schemas/Owner"}]},
    "Owner": {"type": "object", "additionalProperties": False, "properties": {"kind": {"type": "string"}}},
    "TeammateOwner": {"type": "object", "additionalProperties": {"type": "string"}},
    "CreateTag": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
}


def _expected(name: str, sha256: str) -> dict[str, Any]:
    schemas = dict(EXPECTED_SCHEMAS)
    paths = {"/tags/{tag_id}": EXPECTED_PATH_ITEM}
    if name == "channel":
        # The Channel API keeps every path and every schema.
        schemas["Unreferenced"] = {"type": "string"}
        paths["/analytics/reports"] = {"post": {"operationId": "create-report", "responses": {"201": {}}}}
    return {
        "x-source": {
            "repository": "https://github.com/frontapp/front-api-specs",
            "path": PUBLISHED[name],
            "ref": "0123abc",
            "url": f"{RAW}/0123abc/{PUBLISHED[name]}",
            "sha256": sha256,
            "extracted": "2026-01-02",
            "kept": "every path"
            if name == "channel"
            else "paths under /channels, /comments, /contacts, /conversations, /events, /inboxes, /me, "
            "/messages, /tags, /teammates",
        },
        "openapi": "3.0.0",
        "info": {"title": "Core API", "version": "1.0.0"},
        "servers": [{"url": "https://api2.frontapp.com"}],
        "security": [{"http": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "limit": {
                    "in": "query",
                    "name": "limit",
                    "schema": {"type": "integer", "maximum": 100, "default": 50},
                }
            },
            "responses": {
                "tag": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagResponse"}}}
                }
            },
            "securitySchemes": {"http": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _run(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    # A wide terminal, so that --help prints each default URL on one line.
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "300"},
    )


def test_extracting_a_sample_keeps_the_structure_and_drops_the_prose(tmp_path: Path) -> None:
    sample = tmp_path / "sample.json"
    sample.write_text(json.dumps(SAMPLE), "utf-8")
    sha256 = hashlib.sha256(sample.read_bytes()).hexdigest()
    output = tmp_path / "spec"
    arguments = ("--core", sample, "--channel", sample, "--ref", "0123abc", "--date", "2026-01-02")
    finished = _run(*arguments, "--output", output)
    assert finished.returncode == 0, finished.stderr
    for name, filename in (
        ("core", "front-core-api.extract.json"),
        ("channel", "front-channel-api.extract.json"),
    ):
        written = (output / filename).read_text("utf-8")
        expected = _expected(name, sha256)
        assert json.loads(written) == expected
        # Deterministic bytes: sorted keys, two-space indent, one final newline.
        assert written == json.dumps(expected, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    rerun = tmp_path / "again"
    assert _run(*arguments, "--output", rerun).returncode == 0
    for filename in ("front-core-api.extract.json", "front-channel-api.extract.json"):
        assert (rerun / filename).read_bytes() == (output / filename).read_bytes()


def test_a_keyword_the_script_does_not_know_stops_it(tmp_path: Path) -> None:
    sample = json.loads(json.dumps(SAMPLE))
    sample["components"]["schemas"]["CreateTag"]["properties"]["name"]["contentEncoding"] = "base64"
    document = tmp_path / "sample.json"
    document.write_text(json.dumps(sample), "utf-8")
    fine = tmp_path / "fine.json"
    fine.write_text(json.dumps(SAMPLE), "utf-8")
    finished = _run("--core", fine, "--channel", document, "--output", tmp_path / "spec")
    assert finished.returncode == 1
    assert finished.stderr.strip() == (
        f"{document}: /components/schemas/CreateTag/properties/name: unknown keyword 'contentEncoding'; "
        f"keep it or list it as prose in {SCRIPT}"
    )
    # Nothing is written, not even the extract whose file was fine.
    assert not (tmp_path / "spec").exists()


def test_by_default_the_script_reads_fronts_published_files() -> None:
    finished = _run("--help")
    assert finished.returncode == 0
    assert f"fetch {RAW}/REF/{PUBLISHED['core']}" in finished.stdout
    assert f"fetch {RAW}/REF/{PUBLISHED['channel']}" in finished.stdout
    assert "(default: main)" in finished.stdout


# -- the committed extracts ---------------------------------------------------------------------------


@functools.cache
def _script() -> ModuleType:
    """scripts/ is not a package: load the file (registered first, as dataclasses look their module up)."""
    loaded = importlib.util.spec_from_file_location("extract_front_spec", SCRIPT)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    sys.modules[loaded.name] = module
    loaded.loader.exec_module(module)
    return module


# Every string that is a local JSON pointer: the $refs and the discriminators' mappings alike, found in the
# text independently of how the script walks the document.
_POINTER = re.compile(r'"(#/[^"]*)"')


@pytest.mark.parametrize("name", sorted(EXTRACTS))
def test_committed_extract_is_self_contained(name: str) -> None:
    document = json.loads(EXTRACTS[name].read_text("utf-8"))
    source = document["x-source"]
    assert source["path"] == PUBLISHED[name]
    assert source["repository"] == "https://github.com/frontapp/front-api-specs"
    # Pinned to the commit the copy was taken from, not to a branch that moves.
    assert re.fullmatch(r"[0-9a-f]{40}", source["ref"])
    assert source["url"] == f"{RAW}/{source['ref']}/{PUBLISHED[name]}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source["extracted"])
    assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
    references = set(_POINTER.findall(EXTRACTS[name].read_text("utf-8")))
    assert references, "an extract without a single $ref has lost its structure"
    assert not re.search(r'"\$ref": "[^#]', EXTRACTS[name].read_text("utf-8")), (
        "a $ref points outside the file"
    )
    for reference in sorted(references):
        node: Any = document
        for part in reference[2:].split("/"):
            assert isinstance(node, dict) and part in node, (
                f"{reference} does not resolve in {EXTRACTS[name].name}"
            )
            node = node[part]
    # Every kept component is used by a kept path or another component (or, in the Channel API, kept
    # on purpose): nothing unreachable is carried along.
    if name == "core":
        kept = {
            f"#/components/{kind}/{component}"
            for kind, components in document["components"].items()
            if kind != "securitySchemes"
            for component in components
        }
        assert kept == references


@pytest.mark.parametrize("name", sorted(EXTRACTS))
def test_committed_extract_is_what_the_script_keeps(name: str) -> None:
    """Extracting the extract changes nothing: no prose, no unknown keyword, no stray component."""
    script = _script()
    document = json.loads(EXTRACTS[name].read_text("utf-8"))
    source = document["x-source"]
    provenance = script.Provenance(
        source["ref"], source["sha256"], script.datetime.date.fromisoformat(source["extracted"])
    )
    again = script.extract(document, script.SOURCES[name], provenance)
    assert script.render(again) == EXTRACTS[name].read_text("utf-8")


def test_core_extract_holds_the_operations_the_emulator_implements() -> None:
    document = json.loads(EXTRACTS["core"].read_text("utf-8"))
    operations = {
        (path, method): operation.get("x-required-scopes")
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }
    assert operations[("/channels/{channel_id}/incoming_messages", "post")] == ["messages:write"]
    assert operations[("/channels/{channel_id}/messages", "post")] == ["messages:send"]
    assert operations[("/conversations/{conversation_id}/messages", "post")] == ["messages:send"]
    assert operations[("/inboxes/{inbox_id}/imported_messages", "post")] is not None
    for component in ("ContactResponse", "TeammateResponse", "InboxResponse", "ConversationResponse"):
        assert component in document["components"]["schemas"]
    for component in ("CommentResponse", "TagResponse", "EventResponse", "ImportMessage", "CustomMessage"):
        assert component in document["components"]["schemas"]


def test_the_script_fetches_a_url(tmp_path: Path) -> None:
    """The same extract from a file served over HTTP (here a local server standing in for GitHub)."""
    (tmp_path / "core-api.json").write_text(json.dumps(SAMPLE), "utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/core-api.json"
            arguments = ("--core", url, "--channel", url, "--ref", "0123abc", "--date", "2026-01-02")
            finished = _run(*arguments, "--output", tmp_path / "spec")
        finally:
            server.shutdown()
            serving.join()
    assert finished.returncode == 0, finished.stderr
    sha256 = hashlib.sha256(json.dumps(SAMPLE).encode()).hexdigest()
    written = json.loads((tmp_path / "spec" / "front-core-api.extract.json").read_text("utf-8"))
    assert written == _expected("core", sha256)
