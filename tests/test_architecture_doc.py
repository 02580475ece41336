"""docs/architecture.md stays true: every concept it places is defined where it says."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
# A row of the "Where each concept lives" table: | concept | `path` | `symbol` |
_ROW = re.compile(
    r"^\|\s*(?P<concept>[^|]+?)\s*\|\s*`(?P<path>[^`]+)`\s*\|\s*`(?P<symbol>[^`]+)`\s*\|$"
)
_JS_DEFINITION = r"^export\s+(?:async\s+)?(?:class|function\*?|const|let)\s+{name}\b"


def _concept_rows() -> list[tuple[str, str, str]]:
    section = DOC.read_text().split("## Where each concept lives", 1)[1].split("\n## ", 1)[0]
    rows = [_ROW.match(line.strip()) for line in section.splitlines()]
    return [(m["concept"], m["path"], m["symbol"]) for m in rows if m]


def python_defines(source: str, name: str) -> bool:
    """Whether a module defines ``name`` at its top level (class, function or assignment)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == name:
                return True
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
    return False


def js_defines(source: str, name: str) -> bool:
    """Whether an ES module exports a definition of ``name``."""
    pattern = _JS_DEFINITION.format(name=re.escape(name))
    return re.search(pattern, source, flags=re.MULTILINE) is not None


def test_the_table_is_read() -> None:
    rows = _concept_rows()
    assert len(rows) >= 20
    assert ("trails/triggers/engine.py", "TriggerEngine") in {(p, s) for _, p, s in rows}


@pytest.mark.parametrize(("concept", "path", "symbol"), _concept_rows())
def test_each_concept_is_where_the_table_says(concept: str, path: str, symbol: str) -> None:
    file = ROOT / path
    assert file.is_file(), f"{concept}: {path} does not exist"
    source = file.read_text()
    defines = js_defines if path.endswith((".js", ".mjs")) else python_defines
    assert defines(source, symbol), f"{concept}: {symbol} is not defined in {path}"


def test_the_checks_see_a_missing_symbol() -> None:
    assert python_defines("X = 1\ndef f(): pass\nclass C: pass\n", "C")
    assert not python_defines("def g():\n    C = 1\n", "C")
    assert js_defines("export class TriggerEngine {}\n", "TriggerEngine")
    assert not js_defines("class TriggerEngine {}\n", "TriggerEngine")
