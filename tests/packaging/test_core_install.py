"""The wheel without extras, in a fresh environment: the `trails` library and nothing more."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import Venv
from tests.packaging.library_doc import prepare_workdir

pytestmark = pytest.mark.slow

# Each module of trails, imported one by one in the core environment; what fails is printed.
IMPORT_ALL = """
import importlib, pkgutil, trails
for info in pkgutil.walk_packages(trails.__path__, "trails."):
    try:
        importlib.import_module(info.name)
    except ImportError as exc:
        print(info.name, exc.name)
"""
# Modules documented (docs/python-library.md) as needing more than the core.
BEYOND_CORE = {"trails.plot": "matplotlib", "trails.i18n": "babel"}


def _python(env: Venv, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(env.python), "-c", code],
        cwd=cwd,
        env=env.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_server_packages_are_absent(core_venv: Venv, tmp_path: Path) -> None:
    done = _python(
        core_venv,
        "import importlib.util as u; print([m for m in ('fastapi', 'sqlalchemy', 'uvicorn',"
        " 'boto3', 'typer') if u.find_spec(m) is not None])",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    for module in ("fastapi", "sqlalchemy"):
        refused = _python(core_venv, f"import {module}", tmp_path)
        assert refused.returncode != 0 and "ModuleNotFoundError" in refused.stderr


def test_every_trails_module_imports(core_venv: Venv, tmp_path: Path) -> None:
    done = _python(core_venv, IMPORT_ALL, tmp_path)
    assert done.returncode == 0, done.stderr
    failed = dict(line.split() for line in done.stdout.splitlines())
    assert failed == BEYOND_CORE


def test_doc_examples_run_on_the_core(core_venv: Venv, tmp_path: Path) -> None:
    workdir = prepare_workdir(tmp_path / "work")
    done = subprocess.run(
        [str(core_venv.python), "examples.py"],
        cwd=workdir,
        env=core_venv.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "'play', 'moulin'" in done.stdout


@pytest.mark.parametrize(
    "command", [["serve", "--port", "8765"], ["db", "upgrade"], ["users", "bootstrap"], []]
)
def test_the_command_line_names_the_extra(
    core_venv: Venv, tmp_path: Path, command: list[str]
) -> None:
    done = subprocess.run(
        [str(core_venv.bin / "baladeur"), *command],
        cwd=tmp_path,
        env=core_venv.env(BALADEUR_DATA_DIR=str(tmp_path / "data")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "pip install 'baladeur[server]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
