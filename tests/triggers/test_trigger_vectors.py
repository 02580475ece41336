"""Every trigger vector in docs/ validates against its schema and passes the reference engine."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from trails.triggers.vectors import load_vector, run_vector

VECTORS_DIR = Path(__file__).resolve().parents[2] / "docs" / "trigger-vectors"
SCHEMA = json.loads((VECTORS_DIR / "vector.schema.json").read_text(encoding="utf-8"))
VECTOR_FILES = sorted(p for p in VECTORS_DIR.glob("*.json") if p.name != "vector.schema.json")


def test_there_are_enough_vectors() -> None:
    assert len(VECTOR_FILES) >= 73


def test_numbers_follow_on_and_the_vectors_the_semantics_cite_exist() -> None:
    numbers = [int(p.name.split("-", 1)[0]) for p in VECTOR_FILES]
    assert numbers == list(range(1, len(numbers) + 1))
    text = (VECTORS_DIR.parent / "trigger-semantics.md").read_text(encoding="utf-8")
    cited = {int(n) for n in re.findall(r"vectors? (\d+)", text)}
    assert cited and cited <= set(numbers)


def test_vector_names_are_unique_and_match_files() -> None:
    names = [load_vector(p)["name"] for p in VECTOR_FILES]
    assert len(set(names)) == len(names)
    for path, name in zip(VECTOR_FILES, names, strict=True):
        assert path.stem.split("-", 1)[1] == name


def test_every_event_type_and_reason_is_exercised() -> None:
    seen_types: Counter[str] = Counter()
    seen_reasons: Counter[str] = Counter()
    for path in VECTOR_FILES:
        for event in load_vector(path)["expected"]:
            seen_types[event["type"]] += 1
            if "reason" in event:
                seen_reasons[event["reason"]] += 1
    assert set(seen_types) == set(SCHEMA["$defs"]["event"]["properties"]["type"]["enum"])
    reasons = SCHEMA["$defs"]["event"]["properties"]["reason"]["enum"]
    assert set(seen_reasons) == set(reasons)


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: p.stem)
def test_vector(path: Path) -> None:
    data = load_vector(path)
    jsonschema.validate(data, SCHEMA)
    assert run_vector(data) == data["expected"]


def test_schema_rejects_a_malformed_vector() -> None:
    data = load_vector(VECTOR_FILES[0])
    data["expected"] = [{"t": 0, "type": "gain", "stop": "a"}]  # gain without db
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
