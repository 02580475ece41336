"""The dependency direction of DESIGN.md, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each package may not import, directly or through a submodule.
FORBIDDEN = {
    "trails": {
        "server",
        "authoring",
        "media",
        "fastapi",
        "starlette",
        "sqlalchemy",
        "geoalchemy2",
        "alembic",
        "boto3",
        "uvicorn",
    },
    "media": {"server", "authoring", "fastapi", "starlette", "sqlalchemy", "geoalchemy2"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependency_direction(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from server.app import create_app\nimport sqlalchemy.orm\n")
    assert _imports(bad) & FORBIDDEN["trails"] == {"server", "sqlalchemy"}
