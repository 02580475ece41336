"""The wheel with the server extra, in a fresh environment outside the repository: the demo
trail is imported and served with no source tree, Node or npm."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.bundle.conftest import DEMO
from tests.packaging.conftest import Venv, make_venv
from tests.support.live import free_port
from trails.bundle.signing import keys_from_document
from trails.bundle.verify import verify_bundle

pytestmark = pytest.mark.slow

# What the server runs besides Python: ffmpeg probes and encodes the demo's audio.
SYSTEM_TOOLS = ("ffmpeg", "ffprobe")


@pytest.fixture(scope="module")
def server_venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Venv:
    env = make_venv(tmp_path_factory.mktemp("server") / "venv")
    env.pip_install(f"{wheel}[server]")
    return env


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with a copy of the demo trail, far from the repository."""
    here = tmp_path_factory.mktemp("place")
    shutil.copytree(DEMO, here / "trail")
    return here


def _baladeur(env: Venv, place: Path, *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(env.bin / "baladeur"), *args],
        cwd=place,
        env=_env(env, place),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"baladeur {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _env(env: Venv, place: Path) -> dict[str, str]:
    # On PATH: the venv's programs and ffmpeg, nothing else (no node, no npm).
    tools = place / "tools"
    if not tools.is_dir():
        tools.mkdir()
        for name in SYSTEM_TOOLS:
            found = shutil.which(name)
            assert found, f"{name} is needed to import the demo trail"
            (tools / name).symlink_to(found)
    return env.env(BALADEUR_DATA_DIR=str(place / "data"), PATH=f"{env.bin}:{tools}")


@pytest.fixture(scope="module")
def served(server_venv: Venv, place: Path) -> Iterator[str]:
    _baladeur(server_venv, place, "db", "upgrade")
    _baladeur(server_venv, place, "import", "trail", "--publish")
    _baladeur(server_venv, place, "users", "bootstrap")
    port = free_port()
    log = (place / "serve.log").open("w")
    process = subprocess.Popen(
        [str(server_venv.bin / "baladeur"), "serve", "--port", str(port)],
        cwd=place,
        env=_env(server_venv, place),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (place / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (place / "serve.log").read_text()
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_the_installed_package_is_not_the_repository(server_venv: Venv, place: Path) -> None:
    done = subprocess.run(
        [str(server_venv.python), "-c", "import server; print(server.__file__)"],
        cwd=place,
        env=_env(server_venv, place),
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(server_venv.path) in done.stdout


@pytest.mark.parametrize("path", ["/healthz", "/play/", "/studio/", "/docs"])
def test_pages_answer(served: str, path: str) -> None:
    # /play/ and /studio/ lead to the apps at /play and /studio.
    response = httpx.get(served + path, timeout=10, follow_redirects=True)
    assert response.status_code == 200
    if path == "/healthz":
        return
    assert "text/html" in response.headers["content-type"]
    # The page's script is served from the files the wheel carries.
    script = re.search(r'<script[^>]* src="([^"]+)"', response.text)
    assert script, response.text[:500]
    asset = httpx.get(str(response.url.join(script.group(1))), timeout=10)
    assert asset.status_code == 200 and len(asset.content) > 1000


def test_the_demo_bundle_downloads_and_verifies(served: str, tmp_path: Path) -> None:
    response = httpx.get(
        f"{served}/v1/trails/moulin-de-marchienne/bundle",
        params={"profile": "opus"},
        follow_redirects=True,
        timeout=60,
    )
    assert response.status_code == 200
    bundle = tmp_path / "moulin.zip"
    bundle.write_bytes(response.content)
    keys = keys_from_document(httpx.get(f"{served}/v1/keys", timeout=10).json())
    report = verify_bundle(bundle, keys)
    assert report.ok and report.signature_checked, report.problems


def test_bootstrap_wrote_the_first_admin_in_the_data_dir(served: str, place: Path) -> None:
    assert (place / "data" / "first-admin.txt").is_file()


def test_problems_speak_dutch_from_the_installed_catalogues(served: str) -> None:
    # The PO files travel in the wheel: an installed server answers in the language asked.
    response = httpx.get(
        f"{served}/v1/trails/no-such-walk", headers={"Accept-Language": "nl"}, timeout=10
    )
    assert response.status_code == 404
    assert response.headers["content-language"] == "nl"
    assert response.json()["detail"].startswith("geen gepubliceerde wandeling 'no-such-walk'")
