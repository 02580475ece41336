"""A throwaway PostgreSQL + PostGIS cluster started from the installed binaries."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class PostgresMissing(RuntimeError):
    """PostgreSQL or PostGIS is not installed."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_bindir() -> Path:
    """The newest installed PostgreSQL whose PostGIS extension is present."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    for initdb in candidates:
        version = initdb.parent.parent.name
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
            return initdb.parent
    raise PostgresMissing(
        "PostgreSQL with PostGIS not found: apt-get install postgresql postgresql-postgis"
    )


@dataclass
class PostgresCluster:
    """A running cluster; ``url(db)`` gives a SQLAlchemy URL for one of its databases."""

    bindir: Path
    datadir: Path
    port: int
    run_as: str | None
    process: subprocess.Popen[bytes] | None = None
    # The server's log goes to a file: a pipe nobody reads fills up after a few hundred
    # checkpoint lines and then blocks the server (a DROP DATABASE waited forever on it).
    log: IO[bytes] | None = None

    def _cmd(self, *args: str) -> list[str]:
        # PostgreSQL refuses to run as root; CI machines often are root.
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def start(self) -> None:
        """Initialise the data directory and start the server on loopback."""
        self.datadir.mkdir(parents=True, exist_ok=True)
        if self.run_as:
            user = pwd.getpwnam(self.run_as)
            os.chown(self.datadir, user.pw_uid, user.pw_gid)
        subprocess.run(
            self._cmd(
                str(self.bindir / "initdb"),
                "-D",
                str(self.datadir),
                "-U",
                "baladeur",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
        )
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            self._cmd(
                str(self.bindir / "postgres"),
                "-D",
                str(self.datadir),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.datadir),
                "-F",
                "-c",
                "full_page_writes=off",
                "-c",
                "synchronous_commit=off",
            ),
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"postgres exited: {self.log.read().decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    time.sleep(0.2)
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("postgres did not start within 30 s")

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+psycopg://baladeur@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server and remove its files."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.log is not None:
            self.log.close()
        shutil.rmtree(self.datadir, ignore_errors=True)


def start_cluster() -> PostgresCluster:
    """Start a fresh cluster in a new temporary directory."""
    bindir = find_bindir()
    run_as = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresMissing("running as root needs the 'postgres' system user") from None
        run_as = "postgres"
    # Directly under the system temp dir: pytest's own tmp dirs are private to root.
    datadir = Path(tempfile.mkdtemp(prefix="baladeur-pg-"))
    cluster = PostgresCluster(bindir, datadir, _free_port(), run_as)
    cluster.start()
    return cluster
