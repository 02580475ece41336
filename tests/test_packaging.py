"""pyproject's dependencies match what each package imports; the CLI names a missing extra."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

import typer
from typer.testing import CliRunner

from server.commands import COMMAND_NAMES, register_unavailable
from trails.extras import INSTALL_SERVER

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
OWN = {"trails", "media", "server", "authoring"}
# Documented in docs/python-library.md as needing the server extra.
TRAILS_BEYOND_CORE = {ROOT / "trails" / "plot.py", ROOT / "trails" / "i18n.py"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=;!~]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported_distributions(files: list[Path]) -> set[str]:
    modules: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    third_party = modules - OWN - set(sys.stdlib_module_names) - {"__future__"}
    by_module = packages_distributions()
    unknown = {m for m in third_party if m not in by_module}
    assert unknown == set(), f"imported but installed by no distribution: {unknown}"
    return {_name(d) for m in third_party for d in by_module[m]}


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _with_their_dependencies(names: set[str]) -> set[str]:
    """The distributions and, installed, everything they require (extras left out)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            wanted = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [_name(r) for r in wanted if "extra ==" not in r]
    return seen


CORE = {_name(r) for r in PROJECT["dependencies"]}
SERVER = {_name(r) for r in PROJECT["optional-dependencies"]["server"]}


def test_core_is_exactly_what_trails_imports() -> None:
    files = [p for p in _sources("trails") if p not in TRAILS_BEYOND_CORE]
    assert _imported_distributions(files) == CORE


def test_server_extra_covers_server_authoring_and_media() -> None:
    files = [p for package in ("server", "authoring", "media") for p in _sources(package)]
    needed = _imported_distributions([*files, *TRAILS_BEYOND_CORE])
    # A package imported directly may come with another one (starlette with FastAPI).
    assert needed - _with_their_dependencies(CORE | SERVER) == set()
    # Nothing in the core twice, nothing in the extra that no one imports.
    assert not CORE & SERVER
    unused = SERVER - needed
    # Used without an import statement of ours: FastAPI's form parser, SQLAlchemy's PostgreSQL
    # driver, the SQLite wheel (loaded by name), huey's Redis queue, the C HTTP parser of
    # uvicorn's httptools protocol (which server/zerocopy.py builds on).
    assert unused == {"httptools", "python-multipart", "psycopg", "pysqlite3-binary", "redis"}


def test_test_extra_brings_the_server_extra_and_build() -> None:
    test = {_name(r): r for r in PROJECT["optional-dependencies"]["test"]}
    assert test["baladeur"] == "baladeur[server]"
    assert "build" in test


def test_setup_installs_the_server_extra() -> None:
    script = (ROOT / "scripts" / "setup.sh").read_text()
    assert 'extras="[server]"; [ "$mode" = "test" ] && extras="[server,test]"' in script
    assert 'pip install -q -e ".${extras}"' in script
    # A new version (trails/versions.py) reinstalls, so that the metadata says it.
    stamp = next(line for line in script.splitlines() if line.startswith("stamp="))
    assert "pyproject.toml" in stamp and "trails/versions.py" in stamp


def test_console_script_is_the_launcher() -> None:
    assert PROJECT["scripts"]["baladeur"] == "authoring.launcher:main"


# Runs the launcher with typer made unimportable, as in a core-only install.
_WITHOUT_TYPER = """
import sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "typer":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Refuse())
sys.argv = ["baladeur", "serve", "--port", "8000"]
from authoring.launcher import main
main()
"""


def test_launcher_names_the_extra_when_the_cli_packages_are_missing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TYPER], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 1
    assert done.stderr == (
        "The baladeur command needs the Python package 'typer', which is not installed; "
        f"it comes with the server extra: {INSTALL_SERVER}\n"
    )


def test_server_commands_without_their_packages_name_the_extra() -> None:
    app = typer.Typer()
    register_unavailable(app, "fastapi")

    @app.command("other")
    def other() -> None:  # a second command, so that typer keeps the names
        pass

    runner = CliRunner()
    for name in COMMAND_NAMES:
        result = runner.invoke(app, [name, "upgrade", "--port", "8000"])
        assert result.exit_code == 1, name
        assert f"baladeur {name} needs the Python package 'fastapi'" in result.output
        assert INSTALL_SERVER in result.output
