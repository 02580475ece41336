"""Download benchmark: many concurrent clients fetch a bundle from our server and from nginx.

Run from the repository root: ``.venv/bin/python bench/download.py`` (200 clients x 30 MB,
then 2,000 clients x 2 MB; ``--quick`` for 20 x 2 MB and 200 x 0.5 MB). Everything stays
on loopback. See bench/README.md, Download.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import update

from bench.common import (
    Baseline,
    Result,
    baladeur_server,
    free_port,
    peak_rss_mb,
    percentile,
    rss_mb,
    standalone,
    stop,
    wait_http,
)
from media.blobs import BlobStore
from server.blobs import make_blob_store
from server.db.migrate import upgrade
from server.db.models import ReleaseBundle
from server.db.session import Database
from server.keys import keyring
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from trails.storage_names import bundle_key

GOAL_RATIO = 0.9
# The throughput goal holds up to this many clients. Beyond, every request's fixed cost in
# the application (not the bytes, which the kernel sends) sets the pace: reported, not a goal.
GOAL_RATIO_CLIENTS = 200
# "Flat": serving N clients costs no buffer per client (the kernel sends the file), so the
# server grows by connection state and its thread pool only, at 200 clients as at 2,000.
GOAL_GROWTH_MB = 50.0
REQUEST_TIMEOUT_S = 300.0
# (clients, bundle bytes): many clients on a large bundle, then very many on a small one.
FULL_STEPS = ((200, 30_000_000), (2_000, 2_000_000))
QUICK_STEPS = ((20, 2_000_000), (200, 500_000))
# More than the thread pool's 40 threads: every thread and database connection gets opened.
WARM_UP_CLIENTS = 64


@dataclass
class LoadRun:
    """What one server gave ``clients`` concurrent downloads."""

    wall_s: float
    bytes: int
    ttfb: list[float] = field(default_factory=list)
    errors: int = 0
    # Resumed downloads whose bytes differ from the file's from their offset on.
    corrupt: int = 0

    @property
    def mb_per_s(self) -> float:
        """Aggregate throughput."""
        return self.bytes / 1e6 / self.wall_s


def replace_bundle(db: Database, blobs: BlobStore, size: int, scratch: Path) -> str:
    """Give the opus bundle ``size`` random bytes (incompressible, like audio); its sha256.

    Stored in the blob store under its own sha256 and recorded on the release, so a server
    serves it exactly as it serves a published bundle.
    """
    payload = scratch / "payload.zip"
    digest = hashlib.sha256()
    with payload.open("wb") as f:
        left = size
        while left:
            chunk = os.urandom(min(left, 1 << 20))
            digest.update(chunk)
            f.write(chunk)
            left -= len(chunk)
    sha = digest.hexdigest()
    with payload.open("rb") as f:
        blobs.put(bundle_key(sha), f, content_type="application/zip")
    payload.unlink()
    with db.transaction() as session:
        session.execute(
            update(ReleaseBundle)
            .where(ReleaseBundle.profile == "opus")
            .values(bundle_sha256=sha, bundle_bytes=size)
        )
    return sha


def prepare(data_dir: Path, size: int) -> tuple[str, Path]:
    """Publish a trail through the real path, then give its opus bundle ``size`` bytes.

    The payload is random (incompressible, like audio) and stored in the blob store under its
    own sha256, so the server serves it exactly as it serves a published bundle. Returns the
    trail's slug and the blob's file, which nginx serves too.
    """
    settings = Settings(data_dir=data_dir)
    db = Database.from_settings(settings)
    upgrade(db.engine)
    blobs = make_blob_store(settings)
    add_trail(db, trail_source("bench-download", 50.41, 4.40), blobs=blobs, keys=keyring(settings))
    sha = replace_bundle(db, blobs, size, data_dir)
    db.dispose()
    path = blobs.path_for(bundle_key(sha))  # type: ignore[attr-defined]
    return sha, Path(path)


NGINX_CONF = """
{user}
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
worker_rlimit_nofile 16384;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    types {{ application/zip zip; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location = /healthz {{ return 200 "ok"; }}
        location /v1/bundles/ {{ alias {root}/; }}
    }}
}}
"""


@contextmanager
def nginx(root: Path, name: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """nginx on a free loopback port serving ``root``, with its own config and files."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp:
        port = free_port()
        # As root, workers would otherwise run as nobody, who cannot read the private temp dir.
        user = "user root root;" if os.geteuid() == 0 else ""
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(user=user, workers=os.cpu_count() or 1, dir=tmp, port=port, root=root)
        )
        proc = subprocess.Popen(
            [binary, "-c", str(conf), "-p", tmp, "-e", f"{tmp}/error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/healthz", proc, timeout=20)
            yield f"{base}/v1/bundles/{name}", proc
        finally:
            stop(proc)


def resume_offsets(clients: int, size: int, seed: int = 3) -> list[int]:
    """Where each client starts: 0, or (every other one) a random point in the middle half."""
    rng = random.Random(seed)
    return [rng.randrange(size // 4, 3 * size // 4) if k % 2 else 0 for k in range(clients)]


def suffix_checksums(path: Path, offsets: list[int]) -> dict[int, int]:
    """CRC-32 of the file's bytes from each resume offset to its end."""
    data = path.read_bytes()
    return {offset: zlib.crc32(data[offset:]) for offset in set(offsets) if offset}


async def load(
    url: str, clients: int, size: int, checksums: dict[int, int] | None = None
) -> LoadRun:
    """``clients`` concurrent downloads of ``url``; every other one resumes with a Range.

    With ``checksums`` (from :func:`suffix_checksums`), each resumed body is checked byte
    for byte; a mismatch counts as corrupt and as an error.
    """
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=0)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=60, pool=60)
    offsets = resume_offsets(clients, size)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        head = await client.head(url)
        etag = head.headers.get("etag", "")
        run = LoadRun(0.0, 0)

        async def fetch(offset: int) -> None:
            headers = {"Range": f"bytes={offset}-", "If-Range": etag} if offset else {}
            start = time.perf_counter()
            got = crc = 0
            check = checksums is not None and offset in checksums
            try:
                async with client.stream("GET", url, headers=headers) as response:
                    first = True
                    async for chunk in response.aiter_raw(1 << 16):
                        if first:
                            run.ttfb.append(time.perf_counter() - start)
                            first = False
                        got += len(chunk)
                        if check:
                            crc = zlib.crc32(chunk, crc)
                expected = 206 if offset else 200
                if response.status_code != expected or got != size - offset:
                    run.errors += 1
                elif check and checksums is not None and crc != checksums[offset]:
                    run.corrupt += 1
                    run.errors += 1
            except (httpx.HTTPError, OSError):
                # A refused or reset connection is an error in the table, not a traceback.
                run.errors += 1
            run.bytes += got

        start = time.perf_counter()
        await asyncio.gather(*(fetch(o) for o in offsets))
        run.wall_s = time.perf_counter() - start
    return run


def raise_file_limit(needed: int) -> None:
    """Allow this process (and the servers it starts) ``needed`` open files, if the hard
    limit permits: every client holds a socket here and one (and a file) in the server."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        ceiling = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


def measure(size: int, clients: int, rounds: int) -> dict[str, object]:
    """Our server and nginx, same file, same clients, alternating; best round of each."""
    raise_file_limit(4 * clients + 256)
    with tempfile.TemporaryDirectory(prefix="bench-download-") as tmp:
        data_dir = Path(tmp)
        sha, blob_path = prepare(data_dir, size)
        name = f"{sha}.zip"
        checksums = suffix_checksums(blob_path, resume_offsets(clients, size))
        ours: list[LoadRun] = []
        theirs: list[LoadRun] = []
        idle_mb = peak_mb = 0.0
        nginx_error = ""
        # nginx serves a folder holding the very file the blob store holds (a hard link).
        served = data_dir / "nginx-root"
        served.mkdir()
        os.link(blob_path, served / name)
        with baladeur_server({"BALADEUR_DATA_DIR": str(data_dir)}) as (base, proc):
            url = f"{base}/v1/bundles/{name}"
            # One round first, so that what is bounded whatever the load (imports, the thread
            # pool's threads, the database pool's connections, the page cache) is there before
            # idle is measured: growth is then what the clients themselves cost.
            asyncio.run(load(url, min(clients, WARM_UP_CLIENTS), size))
            idle_mb = rss_mb(proc.pid)
            for _ in range(rounds):
                ours.append(asyncio.run(load(url, clients, size, checksums)))
                try:
                    with nginx(served, name) as (nginx_url, _):
                        theirs.append(asyncio.run(load(nginx_url, clients, size, checksums)))
                except (FileNotFoundError, RuntimeError) as exc:
                    nginx_error = str(exc)
            peak_mb = peak_rss_mb(proc.pid)
    return {
        "ours": max(ours, key=lambda r: r.mb_per_s),
        "nginx": max(theirs, key=lambda r: r.mb_per_s) if theirs else None,
        "idle_mb": idle_mb,
        "peak_mb": peak_mb,
        "nginx_error": nginx_error,
    }


def run(quick: bool = False) -> list[Result]:
    """Throughput, time to first byte, errors and memory beside nginx serving the same file,
    for each step's clients and bundle size."""
    return [
        row
        for clients, size in (QUICK_STEPS if quick else FULL_STEPS)
        for row in step(clients, size, rounds=1 if quick else 2)
    ]


def step(clients: int, size: int, rounds: int) -> list[Result]:
    """The rows of one load: ``clients`` downloading a bundle of ``size`` bytes."""
    m = measure(size, clients, rounds)
    paced = clients <= GOAL_RATIO_CLIENTS
    ours: LoadRun = m["ours"]  # type: ignore[assignment]
    other: LoadRun | None = m["nginx"]  # type: ignore[assignment]
    what = f"{clients:,} clients x {size / 1e6:g} MB bundle, half resuming"
    note = "" if other else f"no nginx baseline: {m['nginx_error']}"

    def base(value: float | None) -> Baseline | None:
        return Baseline("nginx, same file", value) if other is not None else None

    ratio = ours.mb_per_s / other.mb_per_s if other else None
    growth = float(m["peak_mb"]) - float(m["idle_mb"])  # type: ignore[arg-type]
    return [
        Result(
            "download", f"{what}: throughput", "MB/s", ours.mb_per_s,
            base(other.mb_per_s if other else None),
            goal=f">= {GOAL_RATIO}x nginx" if paced else None,
            met=ratio >= GOAL_RATIO if ratio and paced else None,
            notes=note,
        ),
        Result(
            "download", f"{what}: TTFB p50", "ms", percentile(ours.ttfb, 50) * 1000,
            base(percentile(other.ttfb, 50) * 1000 if other else None),
        ),
        Result(
            "download", f"{what}: TTFB p99", "ms", percentile(ours.ttfb, 99) * 1000,
            base(percentile(other.ttfb, 99) * 1000 if other else None),
        ),
        Result(
            "download", f"{what}: errors", "", float(ours.errors),
            base(float(other.errors) if other else None), goal="0", met=ours.errors == 0,
            notes=f"{ours.corrupt} resumed bodies differ from the file" if ours.corrupt else "",
        ),
        Result(
            "download", f"{what}: server peak RSS growth", "MB", growth,
            Baseline("server idle RSS", float(m["idle_mb"])),  # type: ignore[arg-type]
            goal=f"flat: <= {GOAL_GROWTH_MB:g} MB over idle", met=growth <= GOAL_GROWTH_MB,
            extra={"peak_rss_mb": m["peak_mb"]},
        ),
        Result(
            "download", f"{what}: server peak RSS growth per client", "kB",
            growth * 1000 / clients,
        ),
    ]  # fmt: skip


def main() -> int:
    return standalone(run, __doc__, quick="20 clients x 2 MB, then 200 x 0.5 MB")


if __name__ == "__main__":
    sys.exit(main())
