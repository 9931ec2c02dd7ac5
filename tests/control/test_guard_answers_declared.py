"""The guard's refusals (emulator/guard.py) are part of the control plane's contract: GET
/_emulator/openapi.json declares the 421 for a foreign Host on every operation and the 403 for a foreign
Origin on every operation that changes state, and the answers are what it declares."""

from __future__ import annotations

import jsonschema

SAFE = {"get", "head", "options"}


def _declared(client) -> dict:
    return client.get("/_emulator/openapi.json").json()


def test_every_operation_declares_the_guards_answers(client):
    document = _declared(client)
    error = {"$ref": "#/components/schemas/error"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert responses["421"]["content"]["application/json"]["schema"] == error, f"{method} {path}"
            if method in SAFE:
                assert "403" not in responses, f"{method} {path}"
            else:
                assert responses["403"]["content"]["application/json"]["schema"] == error, f"{method} {path}"


def _check(document: dict, answer, path: str, method: str) -> None:
    declared = document["paths"][path][method]["responses"][str(answer.status_code)]
    schema = {**declared["content"]["application/json"]["schema"], "components": document["components"]}
    jsonschema.Draft202012Validator(schema).validate(answer.json())
    assert answer.headers["content-type"] == "application/json"


def test_the_guards_answers_are_the_declared_ones(client):
    document = _declared(client)
    foreign_host = client.get("/_emulator/workspace", headers={"Host": "rebound.example"})
    assert foreign_host.status_code == 421
    _check(document, foreign_host, "/_emulator/workspace", "get")
    foreign_origin = client.post("/_emulator/reset", headers={"Origin": "https://attacker.example"})
    assert foreign_origin.status_code == 403
    _check(document, foreign_origin, "/_emulator/reset", "post")
