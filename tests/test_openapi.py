"""The OpenAPI document is complete: every operation described, every JSON body with examples
that validate against their own schema."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from server.app import create_app


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app().openapi()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _has_examples(schema: dict[str, Any]) -> bool:
    properties = schema.get("properties", {}).values()
    return "examples" in schema or any("examples" in p for p in properties)


def test_every_operation_is_described(spec: dict[str, Any]) -> None:
    bare = [f"{m} {p}" for m, p, op in _operations(spec) if not op.get("description")]
    assert bare == []


def test_every_json_body_has_examples(spec: dict[str, Any]) -> None:
    missing = []
    for method, path, op in _operations(spec):
        media = op.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None:
            continue
        # An optional body is anyOf [schema, null]: its schema must carry the examples.
        branches = media["schema"].get("anyOf", [media["schema"]])
        schemas = [_resolve(spec, b) for b in branches if b.get("type") != "null"]
        if not any(_has_examples(s) for s in schemas):
            missing.append(f"{method} {path}")
    assert missing == []


def test_body_examples_validate_against_their_schema(spec: dict[str, Any]) -> None:
    registry: Registry = Registry().with_resource(
        "urn:baladeur:openapi", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    checked = 0
    for name, schema in spec["components"]["schemas"].items():
        for example in schema.get("examples", []):
            validator = jsonschema.Draft202012Validator(
                {"$ref": f"urn:baladeur:openapi#/components/schemas/{name}"}, registry=registry
            )
            errors = [e.message for e in validator.iter_errors(example)]
            assert errors == [], f"{name}: {errors}"
            checked += 1
    assert checked >= 10


def test_every_operation_declares_the_parameters_of_its_path(spec: dict[str, Any]) -> None:
    # The tus OPTIONS route once left out its {org}: clients generated from the document
    # could not build its URL.
    undeclared = []
    for method, path, op in _operations(spec):
        in_path = set(re.findall(r"\{(\w+)\}", path))
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        if in_path != declared:
            undeclared.append(f"{method} {path}: {sorted(in_path ^ declared)}")
    assert undeclared == []
