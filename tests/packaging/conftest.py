"""One wheel of the project per session, and a fresh virtual environment to install it into."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.library_doc import ROOT

# What the server serves from the wheel (server/webapps.py), built by scripts/setup.sh.
WEB_APP_FILES = (
    "server/static/player/index.html",
    "server/static/studio/index.html",
    "server/static/contribute/index.html",
    "server/static/apidocs/index.html",
)
PIP_QUIET = ("--quiet", "--disable-pip-version-check", "--no-input")


def _run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def copy_source_tree(dest: Path) -> Path:
    """What a wheel is built from, copied: packaging files and the four packages."""
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    for package in ("trails", "media", "server", "authoring"):
        shutil.copytree(
            ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return dest


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built with ``python -m build --wheel``, web apps included."""
    missing = [f for f in WEB_APP_FILES if not (ROOT / f).is_file()]
    if missing:
        pytest.fail(f"the web apps are not built ({missing}): run scripts/setup.sh test first")
    # Built from a copy: setuptools' build/ directory in the working tree may hold modules
    # that no longer exist, and would put them in the wheel.
    tree = copy_source_tree(tmp_path_factory.mktemp("tree") / "baladeur")
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", out, tree, cwd=tree, timeout=300)
    (built,) = out.glob("baladeur-*.whl")
    with zipfile.ZipFile(built) as zf:
        names = set(zf.namelist())
    absent = [f for f in WEB_APP_FILES if f not in names]
    assert absent == [], f"the wheel lacks the built web apps: {absent}"
    return built


class Venv:
    """A virtual environment outside the repository, and how to run its programs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bin = path / "bin"
        self.python = self.bin / "python"

    def pip_install(self, *requirements: str | Path) -> None:
        """Install into this environment with pip's configured index (and its cache)."""
        _run(self.python, "-m", "pip", "install", *PIP_QUIET, *requirements, timeout=900)

    def env(self, **extra: str) -> dict[str, str]:
        """An environment with this venv first on PATH and nothing of the repository's."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.path)
        return env | extra


def make_venv(path: Path) -> Venv:
    """A fresh virtual environment with pip."""
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return Venv(path)


@pytest.fixture(scope="session")
def core_venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Iterator[Venv]:
    """The wheel installed without extras: the `trails` library alone."""
    env = make_venv(tmp_path_factory.mktemp("core") / "venv")
    env.pip_install(wheel)
    yield env
