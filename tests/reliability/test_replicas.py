"""The scale mode as deployed: three API replicas and two workers behind nginx (issue 21).

One topology (PostGIS, Redis, the S3-compatible server, ``tests/support/replicas.py``) is
started for the module; the data is made as a deployer would, with ``baladeur users create``
and ``baladeur import --publish``. Each test shows one thing any replica must agree on.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from bench.download import replace_bundle
from server.blobs import make_blob_store
from server.db.engine import make_engine
from server.db.models import AuditEntry, Release, ReleaseState
from server.db.session import Database
from server.settings import Settings
from tests.support.audio import ffmpeg_make, tone
from tests.support.postgres import PostgresCluster
from tests.support.redis import RedisMissing, redis_server
from tests.support.replicas import BUCKET, Topology, scale_environment, scale_topology
from tests.support.s3 import s3_server
from tests.support.sources import SMALL_TRAIL_WITH_STORY

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[2] / "examples" / "moulin-de-marchienne"
SLUG = "moulin-de-marchienne"
EDITOR = "editor@example.org"
PASSWORD = "walk-past-the-old-mill-9"
LEASE_S = 3.0
# Every process checks often and holds the scheduler's lease briefly, so the scheduling test
# waits seconds, not the defaults' minutes.
CLOCK = {"BALADEUR_SCHEDULER_INTERVAL_S": "0.5", "BALADEUR_SCHEDULER_LEASE_S": str(LEASE_S)}
DATA = (
    f"users create --email {EDITOR} --password {PASSWORD} --org demo --role editor",
    f"import {DEMO} --publish",
)


@dataclass
class Scale:
    """The running topology, the editor's token and the demo trail's draft id."""

    topology: Topology
    database_url: str
    headers: dict[str, str]
    trail_id: int

    def releases(self, base: str) -> str:
        """The demo trail's releases collection on one replica (or the balancer)."""
        return f"{base}/v1/orgs/demo/trails/{self.trail_id}/releases"


def _database(cluster: PostgresCluster, template: str, name: str) -> str:
    admin = make_engine(cluster.url())
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    return cluster.url(name)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """One Redis for the module's topologies."""
    try:
        with redis_server() as url:
            yield url
    except RedisMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def scale(
    postgres_cluster: PostgresCluster, postgis_template: str, redis_url: str
) -> Iterator[Scale]:
    """Three replicas, two workers, nginx; PostGIS, Redis and S3 behind them."""
    database_url = _database(postgres_cluster, postgis_template, "replicas_s3")
    with s3_server() as s3:
        s3.create_bucket(BUCKET)
        env = scale_environment(database_url, redis_url, s3, **CLOCK)
        with scale_topology(env, data=DATA) as topology:
            first = topology.replicas[0].url
            # Signed in directly, before the limiter test spends any address's attempts.
            signed = httpx.post(
                f"{first}/v1/auth/tokens", json={"email": EDITOR, "password": PASSWORD}
            )
            assert signed.status_code == 201, signed.text
            headers = {"Authorization": f"Bearer {signed.json()['token']}"}
            drafts = httpx.get(f"{first}/v1/orgs/demo/trails", headers=headers).json()
            trail_id = next(t["id"] for t in drafts["items"] if t["slug"] == SLUG)
            yield Scale(topology, database_url, headers, trail_id)


def _from(address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (any of 127.0.0.0/8 is loopback)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def test_the_sign_in_limit_holds_across_replicas(scale: Scale) -> None:
    limit = Settings().sign_in_attempts
    balancer = scale.topology.balancer
    wrong = {"email": EDITOR, "password": "not-the-password"}
    before = len(scale.topology.upstreams())
    with _from("127.0.0.2") as client:
        answers = [client.post(f"{balancer}/v1/auth/tokens", json=wrong) for _ in range(limit)]
        assert [a.status_code for a in answers] == [401] * limit
        refused = client.post(f"{balancer}/v1/auth/tokens", json=wrong)
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["retry-after"]) > 0
        # Refused whichever replica it reaches: every replica shares the count.
        for replica in scale.topology.replicas:
            direct = client.post(
                f"{replica.url}/v1/auth/tokens",
                json=wrong,
                headers={"X-Forwarded-For": "127.0.0.2"},
            )
            assert direct.status_code == 429, replica.url
    # Round robin spread those attempts over all three replicas.
    served = scale.topology.upstreams()[before : before + limit + 1]
    assert set(served) == {r.url.removeprefix("http://") for r in scale.topology.replicas}
    # The limit is the visitor's address (forwarded by nginx), not nginx's own.
    with _from("127.0.0.3") as other:
        right = other.post(
            f"{balancer}/v1/auth/tokens", json={"email": EDITOR, "password": PASSWORD}
        )
        assert right.status_code == 201, right.text


def test_a_release_published_on_one_replica_is_served_by_all_at_once(scale: Scale) -> None:
    a, b, c = (r.url for r in scale.topology.replicas)
    made = httpx.post(scale.releases(a), json={"notes": "from A"}, headers=scale.headers)
    assert made.status_code == 201, made.text
    release = made.json()
    assert release["current"] is True
    opus = next(x for x in release["bundles"] if x["profile"] == "opus")
    for base in (b, c, scale.topology.balancer):
        trail = httpx.get(f"{base}/v1/trails/{SLUG}")
        assert trail.status_code == 200, base
        assert trail.json()["release"] == release["number"], base
        bundle = httpx.get(f"{base}/v1/trails/{SLUG}/bundle")
        assert bundle.status_code == 307, base
        # On S3 the redirect is a presigned URL of the bundle's blob: followed, same bytes.
        body = httpx.get(bundle.headers["location"], follow_redirects=True)
        assert hashlib.sha256(body.content).hexdigest() == opus["sha256"], base
        assert len(body.content) == opus["bytes"]


def _audit_count(database_url: str, action: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            return int(conn.scalar(query) or 0)
    finally:
        engine.dispose()


def _live_releases(database_url: str) -> list[int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(Release.number).where(Release.state == ReleaseState.live)
            return list(conn.scalars(query))
    finally:
        engine.dispose()


def test_a_scheduled_release_goes_live_once_among_five_clocks(scale: Scale) -> None:
    before = _audit_count(scale.database_url, "release.live")
    at = datetime.now(UTC) + timedelta(seconds=3)
    made = httpx.post(
        scale.releases(scale.topology.balancer),
        json={"publish_at": at.isoformat()},
        headers=scale.headers,
    )
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    assert made.json()["current"] is False
    deadline = time.monotonic() + 3 + LEASE_S * 1.25 + 10
    public = f"{scale.topology.balancer}/v1/trails/{SLUG}"
    while httpx.get(public).json()["release"] != number:
        assert time.monotonic() < deadline, "the scheduled release did not go live"
        time.sleep(0.2)
    time.sleep(2.0)  # several more ticks of all five clocks
    assert _audit_count(scale.database_url, "release.live") == before + 1
    assert _live_releases(scale.database_url) == [number]
    assert all(p.poll() is None for p in scale.topology.workers)


# The download test: enough clients, each slow enough and the bundle large enough (more than
# the sockets between a replica and a client buffer), that the killed replica is still
# sending some of them bytes when it dies.
CLIENTS = 100
BUNDLE_BYTES = 8_000_000
DOWNLOAD_S = 4.0
CHUNK = 64 * 1024


def _small_trail(folder: Path) -> Path:
    """A one-stop trail source with a short story."""
    (folder / "media").mkdir(parents=True)
    (folder / "trail.yaml").write_text(SMALL_TRAIL_WITH_STORY)
    ffmpeg_make(folder / "media" / "un.opus", *tone(3))
    (folder / "media" / "un.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nUn.\n")
    return folder


async def _download(
    client: httpx.AsyncClient, url: str, etag: str, size: int, progress: list[int], i: int
) -> tuple[str, int]:
    """Fetch ``url`` at a visitor's pace, resuming with Range + If-Range when cut off.

    Returns the sha256 of the bytes received and how many times the download was resumed.
    """
    got = bytearray()
    resumed = 0
    pause = DOWNLOAD_S / max(1, size // CHUNK)
    for _ in range(10):
        headers = {"Range": f"bytes={len(got)}-", "If-Range": etag} if got else {}
        try:
            async with client.stream("GET", url, headers=headers) as answer:
                if answer.status_code == 200:
                    got.clear()  # a whole body: the validator changed (it must not here)
                else:
                    assert answer.status_code == 206, answer.status_code
                async for chunk in answer.aiter_raw(CHUNK):
                    got += chunk
                    progress[i] = len(got)
                    await asyncio.sleep(pause)
        except httpx.TransportError:
            pass
        if len(got) >= size:
            break
        resumed += 1
    return hashlib.sha256(got).hexdigest(), resumed


async def _downloads(
    url: str, etag: str, size: int, kill: Callable[[], None]
) -> list[tuple[str, int]]:
    # A small receive buffer, as a phone's: the bytes wait in the server, not in this client.
    transport = httpx.AsyncHTTPTransport(
        socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)],
        limits=httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=0),
    )
    async with httpx.AsyncClient(transport=transport, timeout=60) as client:
        progress = [0] * CLIENTS
        tasks = [
            asyncio.create_task(_download(client, url, etag, size, progress, i))
            for i in range(CLIENTS)
        ]
        # Killed as soon as every client has a first part of the bundle: every replica is
        # then sending, and most of each bundle is still to go.
        while min(progress) == 0:
            await asyncio.sleep(0.02)
        kill()
        return await asyncio.gather(*tasks)


def test_downloads_cut_by_a_killed_replica_finish_on_the_others(
    postgres_cluster: PostgresCluster, postgis_template: str, redis_url: str, tmp_path: Path
) -> None:
    # On S3 a bundle is a redirect to the store: killing a replica would cut no download.
    # Here the blobs are local (one shared directory), so the replicas send the bytes.
    database_url = _database(postgres_cluster, postgis_template, "replicas_local")
    source = _small_trail(tmp_path / "petit")
    env = scale_environment(database_url, redis_url, None)
    # No jobs to run here: no workers (they would only slow the start on two cores).
    with scale_topology(env, data=(f"import {source} --publish",), workers=0) as topology:
        # The published bundle made large (random bytes, like audio), as the download
        # benchmark does: the route serves it as any bundle.
        settings = Settings(
            data_dir=tmp_path / "var",
            database_url=database_url,
            blob_dir=Path(topology.env["BALADEUR_BLOB_DIR"]),
        )
        db = Database.from_settings(settings)
        replace_bundle(db, make_blob_store(settings), BUNDLE_BYTES, tmp_path)
        db.dispose()
        balancer = topology.balancer
        located = httpx.get(f"{balancer}/v1/trails/petit/bundle")
        assert located.status_code == 307, located.text
        url = balancer + located.headers["location"]
        head = httpx.head(url)
        size, etag = int(head.headers["content-length"]), head.headers["etag"]
        expected = hashlib.sha256(httpx.get(url).content).hexdigest()
        victim = topology.replicas[1]
        started = time.monotonic()
        results = asyncio.run(_downloads(url, etag, size, victim.kill))
        took = time.monotonic() - started
        assert victim.process.poll() is not None
        assert [digest for digest, _ in results] == [expected] * CLIENTS
        cut = sum(1 for _, resumed in results if resumed)
        print(f"{CLIENTS} downloads of {size} bytes in {took:.1f} s; {cut} cut and resumed")
        # The kill did cut downloads in the middle (else this test would prove nothing).
        assert cut > 0


def test_an_upload_whose_chunks_alternate_replicas_makes_the_right_asset(
    scale: Scale, tmp_path: Path
) -> None:
    """tus chunks sent to each replica in turn, each checked from the next one."""
    wav = ffmpeg_make(tmp_path / "long.wav", *tone(40), "-c:a", "pcm_s16le")  # 3.8 MB
    data = wav.read_bytes()
    replicas = [r.url for r in scale.topology.replicas]
    tus = {"Tus-Resumable": "1.0.0"}
    made = httpx.post(
        f"{replicas[0]}/v1/orgs/demo/uploads",
        headers={**scale.headers, **tus, "Upload-Length": str(len(data))},
    )
    assert made.status_code == 201, made.text
    path = made.headers["location"].removeprefix(replicas[0])
    chunk, offset, turn, answer = 700_000, 0, 1, None
    while offset < len(data):
        here, there = replicas[turn % 3], replicas[(turn + 1) % 3]
        answer = httpx.patch(
            here + path,
            content=data[offset : offset + chunk],
            headers={
                **scale.headers,
                **tus,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=60,
        )
        assert answer.status_code == 204, answer.text
        offset = min(offset + chunk, len(data))
        seen = httpx.head(there + path, headers={**scale.headers, **tus})
        assert int(seen.headers["upload-offset"]) == offset
        turn += 1
    assert answer is not None
    asset = httpx.get(
        f"{scale.topology.balancer}/v1/orgs/demo/assets/{answer.headers['baladeur-asset-id']}",
        headers=scale.headers,
    ).json()
    assert asset["sha256"] == hashlib.sha256(data).hexdigest()
