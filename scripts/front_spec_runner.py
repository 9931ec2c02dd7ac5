"""The run behind scripts/front_spec_conformance.py: Front's spec extracts against the emulator in-process.

Generated requests name real resources most of the time (a path parameter or a body's `*_id` is drawn
from what the seeded emulator holds, else left as generated), so the success answers' schemas are what
gets checked, not only 404s. Requests are authenticated as an integration would be: the workspace's
full-access API token for the Core API, a channel JWT of the application channel for the Channel API.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from front_spec_emulator import BASE_URL, Emulator, seed
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette
from starlette.routing import Route

from emulator.wire.paths import CONTROL_PREFIX

SPEC_DIRECTORY = Path(__file__).resolve().parents[1] / "spec"
SPECS = {
    "core": SPEC_DIRECTORY / "front-core-api.extract.json",
    "channel": SPEC_DIRECTORY / "front-channel-api.extract.json",
}
KNOWN_DIFFERENCES = SPEC_DIRECTORY / "known-differences.json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Front answers every refusal in its `_error` envelope (its API docs; FRONT_FACTS §3), which its OpenAPI
# files declare for almost no operation: each operation is given it as its 4XX answer, so a refusal is
# checked like any answer (status, content type, body) instead of failing as an undeclared status.
ERROR_ENVELOPE = {
    "type": "object",
    "required": ["_error"],
    "properties": {
        "_error": {
            "type": "object",
            "required": ["status", "title", "message"],
            "properties": {
                "status": {"type": "integer", "minimum": 400, "maximum": 499},
                "title": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "string"}},
            },
        }
    },
}
_PARAMETER = re.compile(r"\{[^}]+\}")
_INDEX = re.compile(r"/\d+(?=/|$)")


def spec_document(name: str, differences: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    """The extract as Schemathesis loads it: Front's `_error` envelope as every operation's 4XX answer,
    `type: object` on request bodies that list properties but leave the type out (Front's API reads JSON
    objects; without it the generator sends `null` and `true` as bodies, which prove nothing), and the
    known `differences` applied to the schemas they name."""
    document: dict[str, Any] = json.loads(SPECS[name].read_text("utf-8"))
    schemas = document["components"].get("schemas", {})
    for item in document["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            operation["responses"].setdefault(
                "4XX", {"content": {"application/json": {"schema": ERROR_ENVELOPE}}}
            )
            for media in operation.get("requestBody", {}).get("content", {}).values():
                schema = media["schema"]
                if "$ref" in schema:
                    schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
                if "properties" in schema and "type" not in schema:
                    schema["type"] = "object"
    for difference in differences:
        if difference["spec"] == name:
            _apply(schemas, difference)
    return document


def _apply(schemas: dict[str, Any], difference: dict[str, str]) -> None:
    """One known difference, as the change to Front's schema that makes the emulator's answers valid.

    `property` is a property of `schema`, or a dotted path through nested properties (`target.data`)."""
    *parents, name = difference["property"].split(".")
    schema = schemas.get(difference["schema"])
    for parent in parents:
        schema = (schema or {}).get("properties", {}).get(parent)
    properties = (schema or {}).get("properties", {})
    change = difference["change"]
    if change == "not required" and name in (schema or {}).get("required", ()):
        schema["required"] = [required for required in schema["required"] if required != name]
    elif change == "nullable" and name in properties:
        properties[name]["nullable"] = True
    elif change == "any of" and "oneOf" in properties.get(name, {}):
        properties[name]["anyOf"] = properties[name].pop("oneOf")
    else:
        raise ValueError(f"known difference does not apply to Front's schema (any more?): {difference}")


def template(path: str) -> str:
    return _PARAMETER.sub("{}", path)


def served_operations(app: Starlette) -> dict[tuple[str, str], str]:
    """(method, path template) of each Front API route of `app` (HEAD aside), to its label."""
    return {
        (method, template(route.path)): f"{method} {route.path}"
        for route in app.routes
        if isinstance(route, Route) and not route.path.startswith(CONTROL_PREFIX) and route.path != "/"
        for method in route.methods or ()
        if method != "HEAD"
    }


def implemented_operations(app: Starlette, document: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Labels (`GET /path`) of the spec's operations some route of `app` serves, and of the others.

    A route serves an operation when its path template is the spec's (parameter names aside) and it takes
    the method: `/contacts/custom_fields` is not served by `/contacts/{contact_id}`."""
    served = served_operations(app)
    implemented, missing = [], []
    for path, item in document["paths"].items():
        for method in item:
            if method == "parameters":
                continue
            label = f"{method.upper()} {path}"
            (implemented if (method.upper(), template(path)) in served else missing).append(label)
    return implemented, missing


def routes_outside_the_spec(app: Starlette, documents: list[dict[str, Any]]) -> list[str]:
    """The app's Front API routes that no operation of Front's files describes."""
    described = {
        (method.upper(), template(path))
        for document in documents
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    return sorted(label for key, label in served_operations(app).items() if key not in described)


@dataclass
class Finding:
    operation: str
    check: str
    # Where: the answer's JSON pointer (indexes as *) and the keyword, or the status, or the content type.
    where: str
    message: str
    count: int = 1


@dataclass
class Answer:
    """A success answer, kept to tell whether each known difference still shows."""

    spec: str
    operation: APIOperation
    response: httpx.Response


@dataclass
class Report:
    implemented: dict[str, list[str]] = field(default_factory=dict)
    not_implemented: dict[str, list[str]] = field(default_factory=dict)
    examples: Counter[str] = field(default_factory=Counter)
    # Generated requests httpx cannot send (a file part that is a number), by operation.
    unsendable: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    # Refusals by operation and message: Front's spec is silent on them, a person judges.
    refusals: dict[str, Counter[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # Known differences (spec/known-differences.json) that no answer showed.
    stale: list[dict[str, str]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list, repr=False)
    # Requests sent with each token of the workspace, against the operations' x-required-scopes.
    scope_checks: int = 0
    # Routes of the app that Front's files do not describe (none is run).
    outside_the_spec: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.check == "not_a_server_error"]

    @property
    def violations(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.check != "not_a_server_error"]

    @property
    def passed(self) -> bool:
        return not self.findings and not self.stale

    def record(self, finding: Finding) -> None:
        for seen in self.findings:
            if (seen.operation, seen.check, seen.where) == (finding.operation, finding.check, finding.where):
                seen.count += 1
                return
        self.findings.append(finding)


_CHECK_OF_FAILURE = {
    "ServerError": "not_a_server_error",
    "UndefinedStatusCode": "status_code_conformance",
    "UndefinedContentType": "content_type_conformance",
    "MissingContentType": "content_type_conformance",
    "MalformedMediaType": "content_type_conformance",
}


def _finding(operation: str, failure: Failure, response: httpx.Response) -> Finding:
    check = _CHECK_OF_FAILURE.get(type(failure).__name__, "response_schema_conformance")
    instance_path = getattr(failure, "instance_path", None)
    if check == "response_schema_conformance" and instance_path is not None:
        pointer = _INDEX.sub("/*", "".join(f"/{part}" for part in instance_path)) or "/"
        schema_path = getattr(failure, "schema_path", ())
        where = f"{pointer} ({schema_path[-1]})" if schema_path else pointer
    elif check == "content_type_conformance":
        where = response.headers.get("content-type", "(none)")
    else:
        where = str(response.status_code)
    lines = failure.message.strip().splitlines()
    return Finding(operation, check, where, f"{failure.title}: {lines[0] if lines else ''}")


def known_differences() -> list[dict[str, str]]:
    entries: list[dict[str, str]] = json.loads(KNOWN_DIFFERENCES.read_text("utf-8"))["differences"]
    return entries


# Drawn instead of an existing resource: the generated value stays (an unknown id must be a 404).
_GENERATED = object()


def _existing(data: st.DataObject, choices: list[Any]) -> Any:
    """One of `choices` three times in four, else _GENERATED (the generator favours the first items of a
    list, so the generated value comes last)."""
    return data.draw(st.sampled_from([*choices, *choices, *choices, _GENERATED])) if choices else _GENERATED


def _use_existing(data: st.DataObject, case: Any, pools: dict[Any, list[Any]]) -> None:
    """Most of the time, a path parameter or top-level body field names something that exists."""
    parameters = case.path_parameters or {}
    for names, choices in pools.items():
        if isinstance(names, tuple) and set(names) <= set(parameters):
            chosen = _existing(data, choices)
            if chosen is not _GENERATED:
                parameters.update(zip(names, chosen, strict=True))
    for name in parameters:
        chosen = _existing(data, pools.get(name, []))
        if chosen is not _GENERATED:
            parameters[name] = chosen
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            chosen = _existing(data, pools.get(name, []))
            if chosen is not _GENERATED:
                case.body[name] = [chosen] if isinstance(value, list) else chosen


def run(examples: int, invalid_examples: int, only: Callable[[str], bool] = lambda label: True) -> Report:
    """Every implemented operation: `examples` valid requests and `invalid_examples` invalid ones."""
    report = Report()
    emulator = Emulator()
    differences = known_differences()
    try:
        pools = seed(emulator)
        # Each operation starts from the seeded state: a DELETE run earlier leaves the others their resources.
        seeded = emulator.request("POST", "/_emulator/snapshot")["snapshot_id"]
        for name in SPECS:
            document = spec_document(name, differences)
            implemented, missing = implemented_operations(emulator.app, document)
            # The Channel API is for application channels: its paths name the app's channel.
            spec_pools = {**pools, "channel_id": [emulator.app_channel()]} if name == "channel" else pools
            report.implemented[name], report.not_implemented[name] = implemented, missing
            for result in schemathesis.openapi.from_dict(document).get_all_operations():
                operation = result.ok()
                if operation.label not in implemented or not only(operation.label):
                    continue
                if name == "core":
                    scopes = document["paths"][operation.path][operation.method.lower()].get(
                        "x-required-scopes"
                    )
                    _check_scopes(emulator, report, operation, set(scopes or ()), pools)
                for mode, count in (
                    (GenerationMode.POSITIVE, examples),
                    (GenerationMode.NEGATIVE, invalid_examples),
                ):
                    if count:
                        emulator.request("POST", f"/_emulator/snapshots/{seeded}/restore")
                        _run_operation(emulator, report, name, operation, mode, count, spec_pools)
    finally:
        emulator.close()
    report.outside_the_spec = routes_outside_the_spec(emulator.app, [spec_document(name) for name in SPECS])
    report.stale = [
        difference for difference in differences if not _still_shows(report, difference, differences)
    ]
    return report


def _still_shows(report: Report, difference: dict[str, str], differences: list[dict[str, str]]) -> bool:
    """Whether some success answer breaks Front's spec as `difference` says, the other differences aside."""
    others = [other for other in differences if other is not difference]
    schemas = {name: schemathesis.openapi.from_dict(spec_document(name, others)) for name in SPECS}
    for answer in report.answers:
        operation = schemas[answer.spec][answer.operation.path][answer.operation.method.upper()]
        try:
            operation.validate_response(answer.response)
        except (Failure, FailureGroup):
            return True
    return False


def _run_operation(
    emulator: Emulator,
    report: Report,
    spec: str,
    operation: APIOperation,
    mode: GenerationMode,
    count: int,
    pools: dict[Any, list[Any]],
) -> None:
    label = operation.label if spec == "core" else f"{operation.label} (Channel API)"
    if mode == GenerationMode.POSITIVE:
        # First a plain request naming the first of each resource: whatever is generated next, every
        # operation is seen answering what exists (and each known difference can show in it).
        _send_and_check(
            emulator, report, spec, label, operation.Case(path_parameters=_first(operation, pools))
        )
    strategy = operation.as_strategy(generation_mode=mode)

    @given(data=st.data())
    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def one(data: st.DataObject) -> None:
        case = data.draw(strategy)
        _use_existing(data, case, pools)
        _send_and_check(emulator, report, spec, label, case)

    one()


def _check_scopes(
    emulator: Emulator,
    report: Report,
    operation: APIOperation,
    required: set[str],
    pools: dict[Any, list[Any]],
) -> None:
    """Each token of the workspace against the operation's `x-required-scopes`: one lacking a scope gets
    Front's 403 naming it, one holding them all is let through (whatever the answer then is)."""
    for token in emulator.store.workspace.tokens:
        lacking = sorted(required - token.scopes)
        case = operation.Case(
            path_parameters=_first(operation, pools), headers={"Authorization": f"Bearer {token.token}"}
        )
        response = emulator.send(case.as_transport_kwargs(base_url=BASE_URL))
        assert response is not None, "a request without a body is always sent"
        report.scope_checks += 1
        refused = response.status_code == 403 and "lacks the required" in response.text
        if bool(lacking) != refused:
            expected = f"403 for lacking {', '.join(lacking)}" if lacking else "no 403 (it holds every scope)"
            message = f"token {token.name!r} answered {response.status_code}, expected {expected}"
            report.record(Finding(operation.label, "required_scopes", token.name, message))


def _first(operation: APIOperation, pools: dict[Any, list[Any]]) -> dict[str, str]:
    names = [parameter.name for parameter in operation.path_parameters]
    # A name nothing was seeded for gets an id that names nothing (a 404 to check).
    first = {name: pools[name][0] if pools.get(name) else "unknown" for name in names}
    for together, choices in pools.items():
        if isinstance(together, tuple) and set(together) <= set(names) and choices:
            first.update(zip(together, choices[0], strict=True))
    return first


def _send_and_check(emulator: Emulator, report: Report, spec: str, label: str, case: Any) -> None:
    if spec == "channel":
        # A JWT for the channel in the path, or (for any other id) for the application channel.
        channel = (case.path_parameters or {}).get("channel_id")
        app_channel = emulator.app_channel()
        token = emulator.channel_jwt(channel if channel == app_channel else app_channel)
    else:
        token = emulator.token
    # Any Authorization the generator wrote (in whatever case) gives way to the integration's own.
    headers = {name: value for name, value in (case.headers or {}).items() if name.lower() != "authorization"}
    case.headers = {**headers, "Authorization": f"Bearer {token}"}
    response = emulator.send(case.as_transport_kwargs(base_url=BASE_URL))
    if response is None:
        report.unsendable[label] += 1
        return
    report.examples[label] += 1
    report.statuses.setdefault(label, Counter())[response.status_code] += 1
    if 400 <= response.status_code < 500 and response.headers.get("content-type") == "application/json":
        refusal = response.json().get("_error", {})
        details = "; ".join(refusal.get("details", ()))
        reason = f"{response.status_code} {refusal.get('message')} {details}"
        report.refusals.setdefault(label, Counter())[reason.strip()] += 1
    elif response.status_code < 300:
        report.answers.append(Answer(spec, case.operation, response))
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as group:
        failures = list(group.exceptions)
    except Failure as failure:
        failures = [failure]
    else:
        failures = []
    for failure in failures:
        report.record(_finding(label, failure, response))
