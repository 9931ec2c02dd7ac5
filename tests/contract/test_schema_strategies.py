"""emulator.contract.schema_strategies: every document it generates validates against its schema, and
across a bounded number of examples every property the schema declares is generated at least once."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.contract.schema_strategies import from_schema, resolved
from emulator.contract.strategies import custom_messages, outgoing_message_schema, outgoing_messages
from emulator.schemas import validator

EXAMPLES = 200
# Derandomized: whether a bounded run happens to draw every optional property must not depend on luck.
COVERAGE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def property_paths(schema: dict[str, Any], path: str = "") -> set[str]:
    """Every property the schema declares, as a path (``/author/_links/self``, ``/attachments[]/id``)."""
    paths: set[str] = set()
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        paths |= property_paths(branch, path)
    if isinstance(schema.get("items"), dict):
        paths |= property_paths(schema["items"], path + "[]")
    for name, sub in schema.get("properties", {}).items():
        paths.add(f"{path}/{name}")
        paths |= property_paths(sub, f"{path}/{name}")
    return paths


def present_paths(document: Any, schema: dict[str, Any], path: str = "") -> set[str]:
    """The declared properties ``document`` has, following the oneOf/anyOf branch it matches."""
    paths: set[str] = set()
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        if _validator(json.dumps(branch)).is_valid(document):
            paths |= present_paths(document, branch, path)
    if isinstance(document, list) and isinstance(schema.get("items"), dict):
        for item in document:
            paths |= present_paths(item, schema["items"], path + "[]")
    if isinstance(document, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in document:
                paths.add(f"{path}/{name}")
                paths |= present_paths(document[name], sub, f"{path}/{name}")
    return paths


@cache
def _validator(schema_json: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_json))


def assert_every_property_generated(strategy: st.SearchStrategy[Any], schema: dict[str, Any]) -> None:
    seen: set[str] = set()

    @COVERAGE
    @given(strategy)
    def collect(document: Any) -> None:
        assert _validator(json.dumps(schema)).is_valid(document), document
        seen.update(present_paths(document, schema))

    collect()
    assert property_paths(schema) - seen == set()


def test_custom_messages_cover_every_property_of_custom_message_json():
    assert_every_property_generated(custom_messages(), resolved("custom-message"))


def test_outgoing_messages_cover_every_property_of_the_outgoing_schema():
    assert_every_property_generated(outgoing_messages(), outgoing_message_schema())


# The schemas the contract strategies draw from, and those they reach through $ref: a document drawn
# from each passes the emulator's own validator (jsonschema-rs, with the schema registry) as it is.
@pytest.mark.parametrize("name", ["custom-message", "message", "recipient", "teammate", "error"])
def test_generated_documents_validate_against_their_schema(name):
    @settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(resolved(name)))
    def check(document: Any) -> None:
        validator(name).check(document)

    check()


def test_patterns_are_generated_as_full_matches():
    @settings(max_examples=50, deadline=None, database=None)
    @given(from_schema({"type": "string", "pattern": "^msg_[0-9a-z]+$"}))
    def check(text: str) -> None:
        assert text.startswith("msg_") and text[4:].isalnum() and "\n" not in text

    check()


def test_an_unknown_keyword_is_refused_not_ignored():
    with pytest.raises(ValueError, match="multipleOf"):
        from_schema({"type": "integer", "multipleOf": 3})
    with pytest.raises(ValueError, match="format 'email'"):
        from_schema({"type": "string", "format": "email"})
