"""@baladeur/engine's updatePins (run by node) gives every key-chain vector's expected outcome,
the same the reference logic gives (tests/bundle/test_keychain.py)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support.browser import tool_unavailable

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "docs" / "key-vectors"
RUNNER = ROOT / "web" / "engine" / "tools" / "run-key-vectors.mjs"


def _run(folder: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    assert node is not None
    out = subprocess.run(
        [node, str(RUNNER), str(folder)], capture_output=True, text=True, check=True, timeout=60
    )
    return list(json.loads(out.stdout))


def test_js_update_pins_passes_every_key_vector() -> None:
    results = _run(VECTORS)
    assert [r["name"] for r in results] == sorted(p.name for p in VECTORS.glob("*.json"))
    assert len(results) >= 18
    assert [(r["name"], r["got"]) for r in results if not r["ok"]] == []


def test_a_wrong_expectation_is_reported(tmp_path: Path) -> None:
    vector = json.loads((VECTORS / "11-replaced-by-unendorsed-key.json").read_text())
    vector["expected"] = {"ok": True}
    (tmp_path / "changed.json").write_text(json.dumps(vector))
    [result] = _run(tmp_path)
    assert result["ok"] is False and result["got"] == {"ok": False, "code": "keys-not-endorsed"}


def test_a_zeroed_signature_is_refused_in_js_too(tmp_path: Path) -> None:
    vector = json.loads((VECTORS / "03-rotation-endorsed.json").read_text())
    newest = vector["document"]["keys"][1]
    newest["endorsement"]["signature"] = base64.b64encode(bytes(64)).decode()
    vector["expected"] = {"ok": False, "code": "endorsement-invalid"}
    (tmp_path / "shuffled.json").write_text(json.dumps(vector))
    [result] = _run(tmp_path)
    assert result["ok"] is True, result
