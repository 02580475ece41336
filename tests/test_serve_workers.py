"""``baladeur serve --workers 2``: a real server of two worker processes answers, and stops."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.common import wait_http
from server.db.migrate import upgrade
from server.db.session import Database
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from tests.support.live import free_port

BALADEUR = str(Path(sys.executable).with_name("baladeur"))


def _children(pid: int) -> list[str]:
    """The command lines of a process's children."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # The parent pid is the field after the command name, which is in brackets.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(cmdline)
    return found


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A SpatiaLite data directory holding one published trail."""
    db = Database.from_settings(Settings(data_dir=tmp_path))
    upgrade(db.engine)
    add_trail(db, trail_source("mill", 50.405, 4.395, title={"fr": "Le Moulin"}))
    db.dispose()
    return tmp_path


def test_two_worker_processes_serve_the_catalogue(data_dir: Path) -> None:
    port = free_port()
    env = os.environ | {
        "BALADEUR_DATA_DIR": str(data_dir),
        "BALADEUR_LOG_LEVEL": "INFO",
        "BALADEUR_LOG_FORMAT": "text",
    }
    args = [BALADEUR, "serve", "--port", str(port), "--workers", "2"]
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/healthz", server, timeout=120)
        workers = [c for c in _children(server.pid) if "multiprocessing.spawn" in c]
        assert len(workers) == 2, _children(server.pid)

        def near(_: int) -> list[str]:
            answer = httpx.get(f"{base}/v1/trails", params={"near": "50.4,4.4"}, timeout=30)
            assert answer.status_code == 200, answer.text
            return [t["slug"] for t in answer.json()["items"]]

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            assert list(pool.map(near, range(40))) == [["mill"]] * 40
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    logged = log.read_text()
    assert server.returncode == 0, logged[-2000:]
    # The embedded job threads started once (in the parent), not once per worker process.
    assert logged.count("The following commands are available") == 1, logged[-4000:]
