"""A throwaway redis-server on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.live import free_port


class RedisMissing(RuntimeError):
    """redis-server is not installed."""


@contextmanager
def redis_server() -> Iterator[str]:
    """Run redis-server without persistence until the block ends; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisMissing("redis-server not found: apt-get install redis-server")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="baladeur-redis-")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
