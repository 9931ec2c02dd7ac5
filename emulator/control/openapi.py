"""GET /_emulator/openapi.json: the control plane described as OpenAPI 3.1, built from the app's own
route table (so a route cannot be missing) and the schemas in schemas/ (so it cannot drift from what the
routes check). OPERATIONS adds what the route table does not know: a summary, the request and answer
schemas, the query parameters and every status the route answers. A /_emulator route without an entry is
still listed, from its endpoint's docstring, with a `default` answer (tests/control/test_openapi_contract.py
fails on it).

The inspector under /_emulator/ui is left out: it is a web UI, not part of this API. Its routes answer
HTML pages and 303 redirects to form posts from its own pages, `events` is a stream that never ends, and
`{rest:path}` is its catch-all "no such page"; its browser and HTTP tests cover it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from emulator import __version__
from emulator.control.applications import APP_EVENT_FILTERS
from emulator.control.outbox import DELIVERY_FILTERS
from emulator.schemas import all_schemas
from emulator.wire.paths import CONTROL_PREFIX, INSPECTOR_PREFIX, SAFE_METHODS
from emulator.wire.responses import front_json

SCHEMA_BASE = "https://front-emulator.local/schemas/"

# What each status means on this control plane; every error is Front's `_error` envelope.
MEANINGS = {
    200: "OK",
    201: "Created",
    204: "Done; no body",
    400: "Refused: the body is not JSON, or a field or query parameter is invalid or unknown (each named "
    "in `details`)",
    404: "No such resource",
    409: "Conflict with the current state (the message explains what to do first)",
    413: "The body is larger than the emulator accepts (Config.max_json_bytes)",
    415: "The body must be sent as application/json",
    403: "Refused: a browser request from another origin (an `Origin` header other than the emulator's "
    "own, `null` included) may not change the emulator's state (emulator/guard.py)",
    421: "Refused: the `Host` is not a name this emulator answers to (localhost, the bound name, the "
    "public URL's, an IP address, or one allowed with --allow-host): the guard against DNS rebinding",
    502: "The app (an application channel's webhook) did not answer as Front expects; the message quotes it",
}
# A route that reads a JSON body can refuse it whatever its schema says.
BODY_ERRORS: dict[int, str | None] = {400: "error", 413: "error"}
# A clock the control plane cannot move (an app built in Python with another Clock) answers 409.
CLOCK_ERRORS: dict[int, str | None] = {409: "error"}


@dataclass(frozen=True)
class Operation:
    summary: str
    # status -> schema name (None: no body)
    answers: dict[int, str | None]
    request: str | None = None
    # The body may be left out (the route then uses its defaults).
    request_optional: bool = False
    # name -> JSON Schema of the value; a route with query parameters refuses any other (400).
    query: dict[str, dict[str, Any]] = field(default_factory=dict)


_STRING: dict[str, Any] = {"type": "string"}
# Journalled paths all start with /; a prefix without one is refused.
_PATH_PREFIX: dict[str, Any] = {"type": "string", "pattern": "^/"}


def _filter_parameters(filters: dict[str, tuple[str, ...] | None]) -> dict[str, dict[str, Any]]:
    """A list's filters as query parameters: any string, or one of the filter's choices."""
    return {name: {"enum": list(allowed)} if allowed else _STRING for name, allowed in filters.items()}


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/_emulator/livez"): Operation("Liveness: the process answers", answers={200: "health"}),
    ("GET", "/_emulator/readyz"): Operation("Readiness, with counts", answers={200: "health"}),
    ("GET", "/_emulator/workspace"): Operation(
        "The loaded workspace: channels, teammates, tokens, API secret", answers={200: "workspace"}
    ),
    ("POST", "/_emulator/reset"): Operation(
        "Back to the start: workspace loaded at start, no messages, ids from the seed, clock as started, "
        "empty journal, no faults, no snapshots",
        answers={204: None},
    ),
    ("POST", "/_emulator/seed"): Operation(
        "Load a workspace (inline or a fixture file) and start afresh on it",
        request="seed-request",
        answers={200: "workspace", **BODY_ERRORS},
    ),
    ("POST", "/_emulator/snapshot"): Operation(
        "Keep a deep copy of the state (refused while a delivery is in flight)",
        answers={201: "snapshot", 409: "error"},
    ),
    ("POST", "/_emulator/snapshots/{snapshot_id}/restore"): Operation(
        "Go back to a snapshot", answers={200: "snapshot", 404: "error"}
    ),
    ("GET", "/_emulator/clock"): Operation(
        "The clock's mode and time", answers={200: "clock", **CLOCK_ERRORS}
    ),
    ("POST", "/_emulator/clock/freeze"): Operation(
        "Stop the clock, now or at `at`",
        request="clock-freeze",
        request_optional=True,
        answers={200: "clock", **BODY_ERRORS, **CLOCK_ERRORS},
    ),
    ("POST", "/_emulator/clock/advance"): Operation(
        "Move the frozen clock forward: creation delays and undo windows elapse (409 on a real clock)",
        request="clock-advance",
        answers={200: "clock", **BODY_ERRORS, **CLOCK_ERRORS},
    ),
    ("POST", "/_emulator/clock/unfreeze"): Operation(
        "Back to real time", answers={200: "clock", **CLOCK_ERRORS}
    ),
    ("GET", "/_emulator/requests"): Operation(
        "The request journal: every Front API request received, oldest first",
        query={
            # An exact status (404) or a class (4xx, 4XX).
            "status": {"type": "string", "pattern": "^[1-5]([0-9]{2}|[xX]{2})$"},
            "method": _STRING,
            "path_prefix": _PATH_PREFIX,
            "rejected": {"enum": ["true", "false"]},
        },
        answers={200: "request-list", 400: "error"},
    ),
    ("DELETE", "/_emulator/requests"): Operation("Clear the request journal", answers={204: None}),
    ("GET", "/_emulator/requests/report"): Operation(
        "What Front would have refused, grouped by reason with one example each",
        query={"path_prefix": _PATH_PREFIX},
        answers={200: "request-report", 400: "error"},
    ),
    ("POST", "/_emulator/wait"): Operation(
        "Long-poll until a message uid exists or enough deliveries are journalled; 200 either way, "
        "`satisfied` says which",
        request="wait-request",
        answers={200: "wait-answer", **BODY_ERRORS},
    ),
    ("GET", "/_emulator/openapi.json"): Operation("This document", answers={200: "openapi"}),
    ("POST", "/_emulator/channels"): Operation(
        "Create a channel",
        request="create-channel",
        answers={201: "workspace-channel", **BODY_ERRORS, 409: "error", 415: "error"},
    ),
    ("POST", "/_emulator/applications"): Operation(
        "Add a Front app with a channel feature (uid and secret drawn when not given)",
        request="create-application",
        answers={201: "application", **BODY_ERRORS, 409: "error", 415: "error"},
    ),
    ("POST", "/_emulator/applications/{uid}/channels"): Operation(
        "Add a channel of the app as a Front admin would: the app is sent `authorization` and must answer "
        "success with the channel's webhook_url",
        request="authorize-channel",
        answers={
            201: "workspace-channel",
            **BODY_ERRORS,
            404: "error",
            409: "error",
            415: "error",
            502: "error",
        },
    ),
    ("DELETE", "/_emulator/channels/{channel_id}"): Operation(
        "Remove an application channel; its app is sent `delete` first",
        answers={204: None, 400: "error", 404: "error"},
    ),
    ("GET", "/_emulator/app_events"): Operation(
        "The event journal: every event sent to an app",
        query=_filter_parameters(APP_EVENT_FILTERS),
        answers={200: "app-event-list", 400: "error"},
    ),
    ("GET", "/_emulator/channels/{channel_id}/calls"): Operation(
        "An application channel's calls, as its app reported them", answers={200: "call-list", 404: "error"}
    ),
    ("GET", "/_emulator/channels/{channel_id}/calls/{external_call_id}"): Operation(
        "One call: status history, recordings, summary, transcript", answers={200: "call", 404: "error"}
    ),
    ("GET", "/_emulator/channels/{channel_id}/message_templates"): Operation(
        "An application channel's message templates", answers={200: "message-template-list", 404: "error"}
    ),
    ("POST", "/_emulator/faults"): Operation(
        "Add a fault: matching Front API requests get an error status, latency, a dropped connection or "
        "a 202 whose message is never created",
        request="fault-request",
        answers={201: "fault", **BODY_ERRORS},
    ),
    ("GET", "/_emulator/faults"): Operation(
        "Every fault, with how many times it fired", answers={200: "fault-list"}
    ),
    ("DELETE", "/_emulator/faults"): Operation("Remove every fault", answers={204: None}),
    ("DELETE", "/_emulator/faults/{fault_id}"): Operation(
        "Remove one fault", answers={204: None, 404: "error"}
    ),
    ("GET", "/_emulator/messages/{message_id}"): Operation(
        "Where an outbound message stands", answers={200: "message-state", 404: "error"}
    ),
    ("POST", "/_emulator/messages/{message_id}/cancel"): Operation(
        "Cancel a pending message in its undo window (409 once it has left, or for an inbound message)",
        answers={200: "message-state", 404: "error", 409: "error"},
    ),
    ("GET", "/_emulator/deliveries"): Operation(
        "The delivery journal",
        query=_filter_parameters(DELIVERY_FILTERS),
        answers={200: "delivery-list", 400: "error"},
    ),
    ("POST", "/_emulator/deliveries/{delivery_id}/redeliver"): Operation(
        "Send a delivered message again, freshly signed (409 while that message is still on its way)",
        answers={200: "delivery", 404: "error", 409: "error"},
    ),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _control_routes(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, str, Any]]:
    found = []
    for route in routes:
        if isinstance(route, Route):
            path = prefix + route.path
            if path.startswith(CONTROL_PREFIX) and not path.startswith(INSPECTOR_PREFIX):
                found += [
                    (path, method, route.endpoint)
                    for method in sorted(route.methods or ())
                    if method != "HEAD"
                ]
        elif isinstance(route, Mount):
            found += _control_routes(list(route.routes), prefix + route.path)
    return found


def _operation(path: str, method: str, endpoint: Any) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _STRING} for name in _path_parameters(path)
    ]
    known = OPERATIONS.get((method, path))
    if known is None:
        doc = inspect.getdoc(endpoint) or f"{method} {path}"
        undescribed: dict[str, Any] = {"summary": doc.splitlines()[0]}
        if parameters:
            undescribed["parameters"] = parameters
        undescribed["responses"] = {
            "default": {"description": "not described in emulator/control/openapi.py"}
        }
        return undescribed
    operation: dict[str, Any] = {"operationId": f"{method.lower()} {path}", "summary": known.summary}
    parameters += [{"name": name, "in": "query", "schema": schema} for name, schema in known.query.items()]
    if parameters:
        operation["parameters"] = parameters
    if known.request is not None:
        operation["requestBody"] = {
            "required": not known.request_optional,
            "content": {"application/json": {"schema": _ref(known.request)}},
        }
    responses: dict[str, Any] = {}
    for status, schema in sorted((known.answers | _guard_answers(method)).items()):
        answer: dict[str, Any] = {"description": MEANINGS[status]}
        if schema is not None:
            answer["content"] = {"application/json": {"schema": _ref(schema)}}
        responses[str(status)] = answer
    operation["responses"] = responses
    return operation


def _guard_answers(method: str) -> dict[int, str | None]:
    """What the guard (emulator/guard.py) answers before any route: a foreign Host on every request,
    a foreign Origin on the requests that change state."""
    answers: dict[int, str | None] = {421: "error"}
    if method not in SAFE_METHODS:
        answers[403] = "error"
    return answers


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _embedded(name: str, node: Any) -> Any:
    """A schema of schemas/ as a component: `$id` and `$schema` dropped (the document's dialect applies),
    and its `$ref`s ("teammate.json", "workspace.json#/$defs/x", "#/$defs/y") rewritten to point at the
    components, so that any OpenAPI tool resolves them without knowing the schemas' own URLs."""
    if isinstance(node, list):
        return [_embedded(name, item) for item in node]
    if not isinstance(node, dict):
        return node
    embedded: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$id", "$schema") and isinstance(value, str):
            continue
        if key == "$ref" and isinstance(value, str):
            target, _, fragment = value.removeprefix(SCHEMA_BASE).partition("#")
            embedded[key] = f"#/components/schemas/{target.removesuffix('.json') or name}{fragment}"
        else:
            embedded[key] = _embedded(name, value)
    return embedded


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
            "The components are the JSON Schemas of the emulator's schemas/ directory, each under its file "
            "name. The inspector (/_emulator/ui) is a web UI and is not part of this API.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {name: _embedded(name, schema) for name, schema in sorted(all_schemas().items())}
        },
    }


async def get_openapi(request: Request) -> Response:
    return front_json(request, openapi_document(request.app.routes), "openapi")
