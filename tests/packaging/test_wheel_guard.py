"""setup.py refuses to build a wheel without the built web apps, saying what to run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import copy_source_tree

pytestmark = pytest.mark.slow


def test_no_wheel_without_the_web_apps(tmp_path: Path) -> None:
    tree = copy_source_tree(tmp_path / "tree")
    # A fresh clone: the web apps not built yet.
    for app_name in ("player", "studio", "contribute", "apidocs"):
        shutil.rmtree(tree / "server" / "static" / app_name, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(tree)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "the web apps player, studio, contribute, apidocs are not built" in said
    assert not list((tmp_path / "dist").glob("*.whl"))
