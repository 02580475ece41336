"""The dependency direction of DESIGN.md, checked on the source."""

from __future__ import annotations

import ast
import tomllib
from importlib.metadata import entry_points
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
    # The two sides of the HTTP line: the server (with its database and process commands in
    # server/commands) and the authoring side (the offline tools and the HTTP client).
    "server": {"authoring"},
    "authoring": {
        "server",
        "fastapi",
        "sqlalchemy",
        "geoalchemy2",
        "alembic",
        "boto3",
        "uvicorn",
    },
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


def test_the_check_sees_the_sides_import_each_other(tmp_path: Path) -> None:
    client = tmp_path / "client.py"
    client.write_text("from server.remote_sources import StoredMedia\nimport fastapi\n")
    command = tmp_path / "command.py"
    command.write_text("from authoring.output import console\nimport uvicorn\n")
    assert _imports(client) & FORBIDDEN["authoring"] == {"server", "fastapi"}
    assert _imports(command) & FORBIDDEN["server"] == {"authoring"}


def test_the_server_commands_join_baladeur_by_entry_point() -> None:
    # Neither side imports the other: the one `baladeur` command finds the server's commands
    # through this entry point (a stale install lacks it: run scripts/setup.sh again).
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    group = pyproject["project"]["entry-points"]["baladeur.commands"]
    assert group == {"server": "server.commands:register"}
    installed = {e.name: e.value for e in entry_points(group="baladeur.commands")}
    assert installed == group
