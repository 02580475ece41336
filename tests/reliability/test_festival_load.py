"""Festival evening: 500 visitors download a bundle while the trail is republished.

Each visitor follows the trail's bundle link, then fetches the bundle in three ranged
pieces with pauses between them (as a phone on a weak network resumes), while an editor
publishes three new releases. Every client must end with complete bytes whose sha256 is
the bundle of one release, and no request may fail. Loopback only, bounded in clients and
time (marked slow).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bench.common import baladeur_server
from server.blobs import make_blob_store
from server.db.migrate import upgrade
from server.db.models import ReleaseBundle
from server.db.session import Database
from server.draft_source import load_trail
from server.keys import keyring
from server.publishing import publish
from server.settings import Settings
from tests.support.factories import add_trail, trail_source

CLIENTS = int(os.environ.get("BALADEUR_LOAD_CLIENTS", "500"))
REPUBLISHES = 3
PIECES = 3
SLUG = "fete-du-moulin"
pytestmark = pytest.mark.slow


async def _visitor(client: httpx.AsyncClient, seed: int) -> tuple[str, int]:
    pause = random.Random(seed)
    # Visitors arrive over a few seconds, while the organiser republishes.
    await asyncio.sleep(pause.uniform(0, 4))
    redirect = await client.get(f"/v1/trails/{SLUG}/bundle", params={"profile": "opus"})
    assert redirect.status_code == 307, redirect.text
    url = redirect.headers["location"]
    head = await client.head(url)
    assert head.status_code == 200, f"HEAD {url}: {head.status_code}"
    size, etag = int(head.headers["content-length"]), head.headers["etag"]
    body = b""
    step = -(-size // PIECES)
    for start in range(0, size, step):
        await asyncio.sleep(pause.uniform(0, 0.5))
        end = min(start + step, size) - 1
        piece = await client.get(url, headers={"Range": f"bytes={start}-{end}", "If-Range": etag})
        assert piece.status_code == 206, f"range of {url}: {piece.status_code}"
        body += piece.content
    assert len(body) == size
    sha = hashlib.sha256(body).hexdigest()
    assert f'"{sha}"' == etag, "bytes differ from the bundle's own hash"
    return sha, size


async def _crowd(base: str) -> list[tuple[str, int] | BaseException]:
    # Idle connections are let go before the server's keep-alive timeout (uvicorn's 5 s), as
    # browsers do: reusing one as the server closes it is a race that HTTP/1.1 leaves to the
    # client (browsers retry it; httpx does not), not a fault of the server.
    limits = httpx.Limits(
        max_connections=CLIENTS, max_keepalive_connections=CLIENTS, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120.0) as client:
        return await asyncio.gather(
            *(_visitor(client, n) for n in range(CLIENTS)), return_exceptions=True
        )


def test_500_visitors_while_republishing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = Database.from_settings(settings)
    upgrade(db.engine)
    blobs = make_blob_store(settings)
    keys = keyring(settings)
    add_trail(db, trail_source(SLUG, 50.405, 4.395), blobs=blobs, keys=keys)

    def republish() -> None:
        # The organiser fixes the title three times during the evening: three new releases.
        for n in range(REPUBLISHES):
            time.sleep(0.3)
            with db.transaction() as session:
                trail = load_trail(session, SLUG)
                trail.titles = {"fr": f"Fête du moulin, version {n + 2}"}
            publish(db, blobs, keys, SLUG, publisher="load test")

    with baladeur_server({"BALADEUR_DATA_DIR": str(tmp_path)}) as (base, _proc):
        publisher = threading.Thread(target=republish)
        started = time.perf_counter()
        publisher.start()
        results = asyncio.run(_crowd(base))
        publisher.join(timeout=120)
        elapsed = time.perf_counter() - started

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], (
        f"{len(errors)} of {CLIENTS} failed in {elapsed:.1f} s; first: {errors[0]!r}"
    )
    with db.transaction() as session:
        bundles = {
            row.bundle_sha256: row.bundle_bytes
            for row in session.scalars(select(ReleaseBundle).where(ReleaseBundle.profile == "opus"))
        }
    db.dispose()
    assert len(bundles) == REPUBLISHES + 1
    got = [r for r in results if not isinstance(r, BaseException)]
    assert len(got) == CLIENTS
    assert all(bundles.get(sha) == size for sha, size in got), (
        "each download is one release's bundle"
    )
    # The republishing happened while visitors were downloading, not before or after.
    assert len({sha for sha, _ in got}) > 1
