"""Trigger test vectors: read one, run it through the reference engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trails.errors import invalid
from trails.triggers.engine import TriggerEngine
from trails.triggers.model import EngineTrail, Fix
from trails.validation import parse


def load_vector(path: Path) -> dict[str, Any]:
    """Read a vector file as JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise invalid("vector", str(path), f"not a readable JSON file: {exc}") from None
    if not isinstance(data, dict):
        raise invalid("vector", str(path), "a vector is a JSON object")
    return data


def run_vector(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The canonical events the reference engine emits for a vector's trail and fixes."""
    trail = parse(EngineTrail, data["trail"], prefix="trail")
    fixes = [
        Fix(f["t"], f["lat"], f["lon"], f["accuracy_m"], f.get("heading_deg"))
        for f in data["fixes"]
    ]
    events = TriggerEngine(trail).run(fixes, data.get("finish_t"))
    return [e.as_dict() for e in events]
