"""The player's JavaScript trigger engine emits every vector's expected events (run by node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.browser import tool_unavailable

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "docs" / "trigger-vectors"
RUNNER = ROOT / "web" / "engine" / "tools" / "run-vectors.mjs"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    assert node is not None
    return node


def _run(folder: Path) -> list[dict]:
    out = subprocess.run(
        [_node(), str(RUNNER), str(folder)], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout)


def test_js_engine_passes_every_trigger_vector() -> None:
    results = _run(VECTORS)
    names = sorted(p.name for p in VECTORS.glob("*.json") if p.name != "vector.schema.json")
    assert [r["name"] for r in results] == names
    assert len(results) >= 73
    failed = [(r["name"], r["got"], r["expected"]) for r in results if not r["ok"]]
    assert failed == []


def test_a_wrong_expectation_is_reported(tmp_path: Path) -> None:
    vector = json.loads((VECTORS / "01-enter-basic.json").read_text())
    vector["expected"][-1]["t"] = 36  # the narration really ends at 35 s
    (tmp_path / "01-changed.json").write_text(json.dumps(vector))
    [result] = _run(tmp_path)
    assert result["ok"] is False
    assert result["got"][-1] == {"t": 35, "type": "end", "stop": "a", "reason": "finished"}


def test_the_js_engine_refuses_time_going_backwards(tmp_path: Path) -> None:
    vector = json.loads((VECTORS / "01-enter-basic.json").read_text())
    vector["fixes"][2]["t"] = 5  # after the fix at 10 s
    (tmp_path / "backwards.json").write_text(json.dumps(vector))
    [result] = _run(tmp_path)
    assert "time goes backwards" in result["got"]["error"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("lat", 91.0, "out of range"), ("accuracy_m", -1.0, "accuracy cannot be negative")],
)
def test_the_js_engine_refuses_bad_fixes(
    tmp_path: Path, field: str, value: float, message: str
) -> None:
    vector = json.loads((VECTORS / "01-enter-basic.json").read_text())
    vector["fixes"][0][field] = value
    (tmp_path / "bad.json").write_text(json.dumps(vector))
    [result] = _run(tmp_path)
    assert message in result["got"]["error"]
