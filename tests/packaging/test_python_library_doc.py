"""docs/python-library.md: its examples run, and the public API it lists exists."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

from tests.packaging.library_doc import DOC, prepare_workdir
from trails.extras import INSTALL_SERVER


def _api_table() -> list[tuple[str, list[str]]]:
    section = DOC.read_text().split("## The public API", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`trails"):
            rows.append((cells[0].strip("`"), re.findall(r"`(\w+)`", cells[1])))
    return rows


def test_every_public_name_exists() -> None:
    rows = _api_table()
    assert len(rows) >= 8
    missing = [
        f"{module}.{name}"
        for module, names in rows
        for name in names
        if not hasattr(importlib.import_module(module), name)
    ]
    assert missing == []


def test_examples_run(tmp_path: Path) -> None:
    workdir = prepare_workdir(tmp_path / "work")
    done = subprocess.run(
        [sys.executable, "examples.py"], cwd=workdir, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "['not-a-zip']" in done.stdout
    assert "'play', 'moulin'" in done.stdout


def test_names_the_server_extra() -> None:
    assert f"`{INSTALL_SERVER}`" in DOC.read_text()
