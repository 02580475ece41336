"""The dependency direction of DESIGN.md, checked on the source."""

from __future__ import annotations

import ast
import re
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


# Storage names: only trails/storage_names.py spells out a blob key or media path prefix.
STORAGE_NAMES = Path("trails/storage_names.py")
STORAGE_PREFIXES = (
    "media",
    "originals",
    "waveforms",
    "renditions",
    "bundles",
    "covers",
    "photos",
    "consents",
    "consent-forms",
    "transcripts",
)
# A string literal (plain, raw, byte or f-string; a regex may start with ^) that begins with
# one of the prefixes and a slash: what building a key or media path by hand looks like.
_STORAGE_LITERAL = re.compile(
    r"(?<![\w])[rRbBfFuU]{0,2}([\"'])(\^?(?:"
    + "|".join(re.escape(p) for p in STORAGE_PREFIXES)
    + r")/[^\"'\n]*)"
)
# OpenAPI examples of a pushed trail source: paths a client chose, not names we build.
STORAGE_LITERALS_ALLOWED = {
    Path("server/routes/sources.py"): {"media/roue.opus", "media/roue.vtt"},
}


def storage_literals(text: str) -> list[str]:
    """The string literals in source text that start like a blob key or media path."""
    return [match.group(2) for match in _STORAGE_LITERAL.finditer(text)]


def test_only_storage_names_builds_storage_names() -> None:
    offenders = {}
    for package in ("trails", "media", "server", "authoring"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if relative == STORAGE_NAMES or relative.parts[:2] == ("server", "migrations"):
                continue  # migrations are history
            found = [
                literal
                for literal in storage_literals(path.read_text())
                if literal not in STORAGE_LITERALS_ALLOWED.get(relative, set())
            ]
            if found:
                offenders[str(relative)] = found
    assert offenders == {}, "build blob keys and media paths with trails/storage_names.py"


def test_the_storage_name_check_sees_a_violation() -> None:
    bad = (
        'KEY = f"media/{sha}{ext}"\n'
        "PREFIX = 'bundles/'\n"
        'PATTERN = r"^media/[0-9a-f]{64}$"\n'
        'fine = manifest["media"], "multimedia/x", "/v1/media/x"\n'
    )
    assert storage_literals(bad) == ["media/{sha}{ext}", "bundles/", "^media/[0-9a-f]{64}$"]
    assert storage_literals((ROOT / STORAGE_NAMES).read_text())  # the one place that may
