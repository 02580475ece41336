"""The published JSON Schema of trail.yaml matches the model and accepts the demo."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from trails.source import json_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "trail-source.schema.json"


def test_schema_file_is_up_to_date() -> None:
    published = json.loads(SCHEMA_FILE.read_text())
    assert published == json_schema(), "run `make schemas` to regenerate the schema"


def test_demo_trail_validates_against_the_schema(demo_folder: Path) -> None:
    data = yaml.safe_load((demo_folder / "trail.yaml").read_text())
    # YAML dates arrive as date objects; the schema describes their JSON text form.
    jsonschema.validate(json.loads(json.dumps(data, default=str)), json_schema())


def test_schema_refuses_what_the_model_refuses(demo_folder: Path) -> None:
    data = yaml.safe_load((demo_folder / "trail.yaml").read_text())
    data = json.loads(json.dumps(data, default=str))
    data["mode"] = "random"
    validator = jsonschema.Draft202012Validator(json_schema())
    assert any(list(e.path) == ["mode"] for e in validator.iter_errors(data))
