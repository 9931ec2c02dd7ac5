"""GET /_emulator/openapi.json (emulator/control/openapi.py) lists every control route with its schemas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.routing import Mount, Route

# -- the OpenAPI document ------------------------------------------------------------------------------


def _app_control_routes(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Route) and (prefix + route.path).startswith("/_emulator"):
            found |= {
                (prefix + route.path, method.lower()) for method in route.methods or () if method != "HEAD"
            }
        elif isinstance(route, Mount):
            found |= _app_control_routes(list(route.routes), prefix + route.path)
    return found


def test_openapi_lists_every_control_route_with_its_schemas(client):
    answer = client.get("/_emulator/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    listed = {(path, method) for path, operations in document["paths"].items() for method in operations}
    # The inspector (/_emulator/ui) is a web UI, not part of the API the document describes.
    routes = {
        route for route in _app_control_routes(client.app.routes) if not route[0].startswith("/_emulator/ui")
    }
    assert routes and routes == listed
    schemas = document["components"]["schemas"]

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document["paths"]):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    # Every route of the control plane names its schemas.
    for path, method in routes:
        operation = document["paths"][path][method]
        answers = operation["responses"]
        assert "default" not in answers, f"{method} {path} is not described in emulator/control/openapi.py"
        for status, described in answers.items():
            if status != "204":
                assert "$ref" in described["content"]["application/json"]["schema"], (path, method, status)
    wait = document["paths"]["/_emulator/wait"]["post"]
    assert wait["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/wait-request"
    }
