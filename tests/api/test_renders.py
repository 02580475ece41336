"""Renders of a simulated walk through the API: the demo trail heard along a short walk.

The walk passes the demo's mill wheel (object ``roue``) with it on the left going east,
turns round and passes it again with it on the right. The file is decoded by ffmpeg here,
independently of the renderer, and measured: loudness, no clipping, which ear is louder.
"""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from media.blobs.memory import MemoryBlobStore
from media.limits import MediaLimits
from server.db.models import (
    Asset,
    AssetStatus,
    ConsentRecord,
    Organisation,
    Render,
    RenderStatus,
    Trail,
)
from server.db.session import Database
from server.folder_media import MediaContext
from server.gc import orphan_renders
from server.ingest import process_many
from server.jobs import Jobs
from server.source_import import import_source
from server.withdrawal import withdraw
from tests.support.audio import ebur128_lufs
from tests.support.people import People
from trails.source import load_source
from trails.storage_names import ORIGINAL_PREFIX, RENDER_PREFIX, original_key, render_key

RATE = 48_000
KX = 111_194.9 * 0.6369  # metres per degree of longitude at 50.40 N
WHEEL_LON, WHEEL_LAT = 4.39512, 50.40352  # examples/moulin-de-marchienne/trail.yaml, "roue"
PATH_LAT = 50.40333  # 21 m south of the wheel, 36 m south of stop 1's centre (outside it)
SPEED = 1.4  # m/s
EAST_M = 60  # walked past the wheel each way


def _walk() -> list[dict[str, float]]:
    """East from 50 m west of the wheel to 60 m past it, then back west: one fix a second."""
    start = -50.0
    fixes = []
    east = start
    while east < EAST_M:
        fixes.append(east)
        east += SPEED
    while east > start:
        fixes.append(east)
        east -= SPEED
    return [
        {"t": float(t), "lat": PATH_LAT, "lon": WHEEL_LON + x / KX, "accuracy_m": 5}
        for t, x in enumerate(fixes)
    ]


def _east_at(t: float) -> float:
    """Where the walker is (metres east of the wheel) at ``t``, and going which way."""
    out = -50 + SPEED * t
    turn = (EAST_M + 50) / SPEED
    return out if t <= turn else EAST_M - SPEED * (t - turn)


@pytest.fixture
def demo_trail(db: Database, blobs: MemoryBlobStore, demo_folder: Path, people: People) -> int:
    """The demo trail as a draft of the 'mill' organisation, media in the blob store."""
    loaded = load_source(demo_folder)
    with db.transaction() as session:
        org = session.scalars(select(Organisation).where(Organisation.slug == "mill")).one()
        trail = import_source(session, loaded, org, "demo", MediaContext(blobs, MediaLimits()))
        return trail.id


def _decoded(data: bytes, tmp: Path) -> tuple[Path, np.ndarray]:
    path = tmp / "walk.opus"
    path.write_bytes(data)
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-ac", "2", "-ar", str(RATE),
         "-f", "f32le", "pipe:1"],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return path, np.frombuffer(done.stdout, dtype="<f4").reshape(-1, 2).T


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _balance_db(audio: np.ndarray, start: float, end: float) -> float:
    left, right = audio[:, round(start * RATE) : round(end * RATE)]
    return 20 * np.log10(_rms(left) / _rms(right))


def _render(client: TestClient, headers: dict[str, str], trail_id: int, **body: Any) -> Any:
    created = client.post(f"/v1/orgs/mill/trails/{trail_id}/renders", json=body, headers=headers)
    assert created.status_code == 202, created.text
    location = created.headers["Location"]
    assert location == f"/v1/orgs/mill/trails/{trail_id}/renders/{created.json()['id']}"
    return client.get(location, headers=headers)


@pytest.mark.parametrize("binaural", [False, True], ids=["stereo", "binaural"])
def test_demo_walk_is_heard_from_the_wheels_side(
    client: TestClient, people: People, demo_trail: int, tmp_path: Path, binaural: bool
) -> None:
    fixes = _walk()
    polled = _render(client, people["editor"], demo_trail, fixes=fixes, binaural=binaural)
    body = polled.json()
    assert body["status"] == "done", body
    walk_s = fixes[-1]["t"]
    assert body["walk_s"] == pytest.approx(walk_s)
    audio_res = client.get(body["audio_url"], headers=people["editor"])
    assert audio_res.status_code == 200
    assert audio_res.headers["content-type"] == "audio/ogg"
    assert audio_res.headers["etag"]
    path, audio = _decoded(audio_res.content, tmp_path)
    assert audio.shape[1] / RATE == pytest.approx(body["duration_s"], abs=0.1)
    assert audio.shape[1] / RATE >= walk_s - 1
    # Heard, not clipping: the mill wheel heard from 20 m (its inverse roll-off from 4 m: -14 dB).
    lufs = ebur128_lufs(path)
    assert -50 < lufs < -10
    assert float(np.abs(audio).max()) < 1.0
    # Going east, the wheel (north) is on the left; going back west, on the right. The
    # windows are where it is within 45 degrees of abeam, a ramp's second after.
    going = [t for t in range(int(walk_s)) if -15 < _east_at(t) < 15]
    east = [t for t in going if t < (EAST_M + 50) / SPEED]
    west = [t for t in going if t > (EAST_M + 50) / SPEED]
    left_db = _balance_db(audio, east[0] + 1.5, east[-1])
    right_db = _balance_db(audio, west[0] + 1.5, west[-1])
    # Equal-power panning near abeam gives well over 10 dB; a head's shadow a few dB.
    least = 3 if binaural else 10
    assert left_db > least, left_db
    assert right_db < -least, right_db
    # Before the wheel's 45 m radius is reached (the first 3 s, 50 m away): silence.
    assert _rms(audio[:, : 3 * RATE]) < 1e-4
    # The file is served in byte ranges like every other file.
    part = client.get(body["audio_url"], headers={**people["editor"], "Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100


def test_bad_walks_are_refused_and_leave_nothing(
    client: TestClient, people: People, demo_trail: int, db: Database, blobs: MemoryBlobStore
) -> None:
    url = f"/v1/orgs/mill/trails/{demo_trail}/renders"
    fix = {"t": 0, "lat": PATH_LAT, "lon": WHEEL_LON}
    cases: list[tuple[Any, str, str]] = [
        ({"fixes": []}, "fixes", "at least two fixes"),
        ({"fixes": [fix]}, "fixes", "at least two fixes"),
        ({"fixes": [fix, {**fix, "t": 0}]}, "fixes.1.t", "times must increase"),
        (
            {"fixes": [fix, {**fix, "t": 4 * 3600}]},
            "fixes",
            "at most 180 min can be rendered",
        ),
        ({"fixes": [fix, {**fix, "t": 1}], "language": "de"}, "language", "the trail speaks"),
    ]
    for body, field, words in cases:
        res = client.post(url, json=body, headers=people["editor"])
        assert res.status_code == 422, res.text
        problem = res.json()
        assert res.headers["content-type"] == "application/problem+json"
        assert words in problem["detail"]
        assert any(e["field"] == field and words in e["message"] for e in problem["errors"])
    # An unknown format, a latitude off the globe: the schema's own 422.
    for body in ({"fixes": [fix, {**fix, "t": 1}], "format": "mp3"},
                 {"fixes": [fix, {**fix, "t": 1, "lat": 91}]}):  # fmt: skip
        assert client.post(url, json=body, headers=people["editor"]).status_code == 422
    # Contributors may not render; strangers see no such trail.
    ok = {"fixes": [fix, {**fix, "t": 1}]}
    assert client.post(url, json=ok, headers=people["contributor"]).status_code == 403
    assert client.post(url, json=ok, headers=people["stranger"]).status_code == 404
    with db.transaction() as session:
        assert session.scalars(select(Render)).all() == []
    assert list(blobs.scan(RENDER_PREFIX)) == []


def test_failed_render_says_why_and_keeps_no_file(
    client: TestClient, people: People, demo_trail: int, blobs: MemoryBlobStore, db: Database
) -> None:
    # The originals are gone from the store: the job fails, and says so.
    originals = list(blobs.scan(ORIGINAL_PREFIX))
    assert originals
    for info in originals:
        blobs.delete(info.key)
    fixes = _walk()[:5]
    body = _render(client, people["editor"], demo_trail, fixes=fixes).json()
    assert body["status"] == "failed"
    assert "is no longer stored" in body["failure_reason"]
    assert ".opus' is no longer stored" in body["failure_reason"]  # named as uploaded
    assert body["audio_url"] is None
    assert list(blobs.scan(RENDER_PREFIX)) == []
    audio = client.get(
        f"/v1/orgs/mill/trails/{demo_trail}/renders/{body['id']}/audio", headers=people["editor"]
    )
    assert audio.status_code == 409


def test_only_the_last_renders_are_kept(
    client: TestClient, people: People, demo_trail: int, blobs: MemoryBlobStore, db: Database
) -> None:
    fixes = _walk()[:3]
    ids = [
        _render(client, people["editor"], demo_trail, fixes=fixes, format="wav").json()["id"]
        for _ in range(4)
    ]
    with db.transaction() as session:
        kept = set(session.scalars(select(Render.id)).all())
    assert kept == set(ids[1:])
    assert {b.key for b in blobs.scan(RENDER_PREFIX)} == {
        f"{RENDER_PREFIX}{i}.wav" for i in ids[1:]
    }
    gone = client.get(
        f"/v1/orgs/mill/trails/{demo_trail}/renders/{ids[0]}", headers=people["editor"]
    )
    assert gone.status_code == 404


def test_withdrawal_of_consent_deletes_the_renders(
    client: TestClient, people: People, demo_trail: int, blobs: MemoryBlobStore, db: Database
) -> None:
    # A render may hold any voice of the drafts it was mixed from: a withdrawal takes them all.
    body = _render(client, people["editor"], demo_trail, fixes=_walk()[:3]).json()
    assert body["status"] == "done"
    assert len(list(blobs.scan(RENDER_PREFIX))) == 1
    with db.transaction() as session:
        trail = session.get_one(Trail, demo_trail)
        story = next(s.story for s in trail.stops if s.story is not None)
        consent = ConsentRecord(
            story_id=story.id,
            organisation_id=trail.organisation_id,
            person="Marie",
            publication=True,
            given_on=datetime(2026, 4, 2, tzinfo=UTC),
        )
        session.add(consent)
        session.flush()
        consent_id = consent.id
    withdraw(db, blobs, client.app.state.keyring, consent_id, None)  # type: ignore[attr-defined]
    assert list(blobs.scan(RENDER_PREFIX)) == []
    gone = client.get(
        f"/v1/orgs/mill/trails/{demo_trail}/renders/{body['id']}", headers=people["editor"]
    )
    assert gone.status_code == 404


def test_render_files_without_a_render_are_collected(
    client: TestClient, people: People, demo_trail: int, blobs: MemoryBlobStore, db: Database
) -> None:
    body = _render(client, people["editor"], demo_trail, fixes=_walk()[:3]).json()
    stray = render_key("ab" * 16, ".opus")
    blobs.put(stray, iter([b"left by a deleted trail"]))
    later = datetime.now(UTC) + timedelta(hours=2)
    assert orphan_renders(db, blobs, now=later) == [stray]
    # The recorded render keeps its file.
    assert [b.key for b in blobs.scan(RENDER_PREFIX)] == [render_key(body["id"], ".opus")]


def test_unreadable_recording_is_named_in_the_reason(
    client: TestClient,
    people: People,
    demo_trail: int,
    blobs: MemoryBlobStore,
    demo_folder: Path,
) -> None:
    # The wheel's original, as stored, is not audio any more (a damaged store).
    wheel = hashlib.sha256((demo_folder / "media" / "roue.opus").read_bytes()).hexdigest()
    blobs.put(original_key(wheel), iter([b"not audio at all"]))
    body = _render(client, people["editor"], demo_trail, fixes=_walk()[:3]).json()
    assert body["status"] == "failed"
    assert "roue.opus': not a readable audio file" in body["failure_reason"]
    assert "/tmp" not in body["failure_reason"] and "render-" not in body["failure_reason"]
    assert list(blobs.scan(RENDER_PREFIX)) == []


def test_an_encoded_recording_is_heard_from_its_encoding(
    client: TestClient,
    people: People,
    demo_trail: int,
    blobs: MemoryBlobStore,
    db: Database,
    demo_folder: Path,
    tmp_path: Path,
) -> None:
    # The wheel encoded for phones (loudness normalised) is what visitors hear: with its
    # original gone from the store, the walk is still mixed, the wheel on its side.
    wheel = hashlib.sha256((demo_folder / "media" / "roue.opus").read_bytes()).hexdigest()
    with db.transaction() as session:
        asset_id = session.scalars(select(Asset.id).where(Asset.sha256 == wheel)).one()
    assert process_many(db, blobs, [asset_id], limits=MediaLimits()) == {
        asset_id: AssetStatus.ready
    }
    blobs.delete(original_key(wheel))
    fixes = _walk()
    body = _render(client, people["editor"], demo_trail, fixes=fixes).json()
    assert body["status"] == "done", body
    _, audio = _decoded(client.get(body["audio_url"], headers=people["editor"]).content, tmp_path)
    east = [t for t in range(int(fixes[-1]["t"])) if -15 < _east_at(t) < 15][:10]
    assert _balance_db(audio, east[0] + 1.5, east[-1]) > 10


def test_a_render_left_by_a_killed_worker_is_run_again(
    client: TestClient, people: People, demo_trail: int, db: Database, jobs: Jobs
) -> None:
    with db.transaction() as session:
        session.add(
            Render(
                id="cd" * 16,
                trail_id=demo_trail,
                status=RenderStatus.running,
                walk={"fixes": [[0, PATH_LAT, WHEEL_LON, 5], [2, PATH_LAT, WHEEL_LON, 5]],
                      "started_at": 1_780_000_000},
                language="fr",
                binaural=False,
                format="wav",
            )
        )  # fmt: skip
    assert jobs.requeue_unfinished() >= 1
    body = client.get(
        f"/v1/orgs/mill/trails/{demo_trail}/renders/{'cd' * 16}", headers=people["editor"]
    ).json()
    assert body["status"] == "done" and body["duration_s"] >= 2
