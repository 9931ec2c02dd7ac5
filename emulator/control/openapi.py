"""GET /_emulator/openapi.json: the control plane described as OpenAPI 3.1, built from the app's own
route table (so a route cannot be missing) and the schemas in schemas/ (so it cannot drift from what the
routes check). OPERATIONS adds what the route table does not know: a summary, the request and answer
schemas; a /_emulator route without an entry is still listed, from its endpoint's docstring."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from emulator import __version__
from emulator.schemas import all_schemas
from emulator.wire.paths import CONTROL_PREFIX
from emulator.wire.responses import front_json


@dataclass(frozen=True)
class Operation:
    summary: str
    request: str | None = None
    # status -> schema name (None: no body)
    answers: dict[int, str | None] = field(default_factory=dict)
    query: tuple[str, ...] = ()
    # The body may be left out (the route then uses its defaults).
    request_optional: bool = False


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/_emulator/livez"): Operation("Liveness: the process answers", answers={200: "health"}),
    ("GET", "/_emulator/readyz"): Operation("Readiness, with counts", answers={200: "health"}),
    ("GET", "/_emulator/workspace"): Operation(
        "The loaded workspace: channels, teammates, tokens, API secret", answers={200: "workspace"}
    ),
    ("POST", "/_emulator/reset"): Operation(
        "Back to the start: workspace loaded at start, no messages, ids from the seed, clock as started, "
        "empty journal, no snapshots",
        answers={204: None},
    ),
    ("POST", "/_emulator/seed"): Operation(
        "Load a workspace (inline or a fixture file) and start afresh on it",
        request="seed-request",
        answers={200: "workspace", 400: "error"},
    ),
    ("POST", "/_emulator/snapshot"): Operation(
        "Keep a deep copy of the state", answers={201: "snapshot", 409: "error"}
    ),
    ("POST", "/_emulator/snapshots/{snapshot_id}/restore"): Operation(
        "Go back to a snapshot", answers={200: "snapshot", 404: "error"}
    ),
    ("GET", "/_emulator/clock"): Operation("The clock's mode and time", answers={200: "clock"}),
    ("POST", "/_emulator/clock/freeze"): Operation(
        "Stop the clock, now or at `at`",
        request="clock-freeze",
        request_optional=True,
        answers={200: "clock"},
    ),
    ("POST", "/_emulator/clock/advance"): Operation(
        "Move the frozen clock forward: creation delays and undo windows elapse",
        request="clock-advance",
        answers={200: "clock", 400: "error", 409: "error"},
    ),
    ("POST", "/_emulator/clock/unfreeze"): Operation("Back to real time", answers={200: "clock"}),
    ("GET", "/_emulator/requests"): Operation(
        "The request journal: every Front API request received, oldest first",
        query=("status", "method", "path_prefix", "rejected"),
        answers={200: "request-list", 400: "error"},
    ),
    ("DELETE", "/_emulator/requests"): Operation("Clear the request journal", answers={204: None}),
    ("GET", "/_emulator/requests/report"): Operation(
        "What Front would have refused, grouped by reason with one example each",
        query=("path_prefix",),
        answers={200: "request-report"},
    ),
    ("POST", "/_emulator/wait"): Operation(
        "Long-poll until a message uid exists or enough deliveries are journalled",
        request="wait-request",
        answers={200: "wait-answer", 400: "error"},
    ),
    ("GET", "/_emulator/openapi.json"): Operation("This document", answers={200: "openapi"}),
    ("POST", "/_emulator/channels"): Operation(
        "Create a channel", request="create-channel", answers={201: "workspace-channel", 409: "error"}
    ),
    ("GET", "/_emulator/messages/{message_id}"): Operation(
        "Where an outbound message stands", answers={200: "message-state", 404: "error"}
    ),
    ("POST", "/_emulator/messages/{message_id}/cancel"): Operation(
        "Cancel a pending message in its undo window", answers={200: "message-state", 409: "error"}
    ),
    ("GET", "/_emulator/deliveries"): Operation(
        "The delivery journal",
        query=("channel_id", "conversation_id", "message_id", "outcome"),
        answers={200: "delivery-list", 400: "error"},
    ),
    ("POST", "/_emulator/deliveries/{delivery_id}/redeliver"): Operation(
        "Send a delivered message again, freshly signed",
        answers={200: "delivery", 404: "error", 409: "error"},
    ),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _control_routes(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, str, Any]]:
    found = []
    for route in routes:
        if isinstance(route, Route) and (prefix + route.path).startswith(CONTROL_PREFIX):
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    found.append((prefix + route.path, method, route.endpoint))
        elif isinstance(route, Mount):
            found += _control_routes(list(route.routes), prefix + route.path)
    return found


def _operation(path: str, method: str, endpoint: Any) -> dict[str, Any]:
    known = OPERATIONS.get((method, path))
    if known is None:
        doc = inspect.getdoc(endpoint) or f"{method} {path}"
        return {"summary": doc.splitlines()[0], "responses": {"default": {"description": "see the README"}}}
    operation: dict[str, Any] = {"summary": known.summary}
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _path_parameters(path)
    ]
    parameters += [{"name": name, "in": "query", "schema": {"type": "string"}} for name in known.query]
    if parameters:
        operation["parameters"] = parameters
    if known.request is not None:
        operation["requestBody"] = {
            "required": not known.request_optional,
            "content": {"application/json": {"schema": _ref(known.request)}},
        }
    responses: dict[str, Any] = {}
    for status, schema in known.answers.items():
        answer: dict[str, Any] = {"description": "error in Front's envelope" if schema == "error" else "ok"}
        if schema is not None:
            answer["content"] = {"application/json": {"schema": _ref(schema)}}
        responses[str(status)] = answer
    operation["responses"] = responses
    return operation


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, method, endpoint in _control_routes(routes):
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, endpoint)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "front-emulator control plane",
            "version": __version__,
            "description": "The emulator's own API under /_emulator. Errors use Front's `_error` envelope. "
            "Schemas keep their `$id`, so their relative `$ref`s resolve among these components.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": all_schemas()},
    }


async def get_openapi(request: Request) -> Response:
    return front_json(request, openapi_document(request.app.routes), "openapi")
