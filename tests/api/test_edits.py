"""Edits of an asset (trim, fades) rendered into a new, content-addressed asset."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydub import AudioSegment
from sqlalchemy import func, select

from media.blobs.memory import MemoryBlobStore
from media.limits import MediaLimits
from media.probe import probe
from server.db.models import Asset
from server.db.session import Database
from server.edits import checked_edit, derive_asset
from tests.support.audio import ffmpeg_make, tone
from tests.support.people import People
from tests.support.problems import problem
from trails.storage_names import original_key

BASE = "/v1/orgs/mill/assets"


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("audio") / "voice.wav"
    return ffmpeg_make(out, *tone(3.0, rate=16000), "-ac", "1").read_bytes()


@pytest.fixture
def source(client: TestClient, people: People, wav: bytes) -> dict[str, Any]:
    made = client.post(
        BASE, files={"file": ("voice.wav", wav, "audio/wav")}, headers=people["editor"]
    )
    assert made.status_code == 201, made.text
    return made.json()


def _edit(client: TestClient, who: dict[str, str], asset_id: int, **body: Any):
    return client.post(f"{BASE}/{asset_id}/edits", json=body, headers=who)


def _original(blobs: MemoryBlobStore, sha256: str, tmp_path: Path) -> Path:
    out = tmp_path / f"{sha256}.wav"
    out.write_bytes(b"".join(blobs.open(original_key(sha256))))
    return out


def _assets(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Asset)) or 0


def test_a_trim_gives_a_new_ready_asset_of_the_kept_duration(
    client: TestClient,
    people: People,
    source: dict[str, Any],
    blobs: MemoryBlobStore,
    db: Database,
    tmp_path: Path,
) -> None:
    made = _edit(client, people["editor"], source["id"], trim_start_s=0.5, trim_end_s=2.0)
    assert made.status_code == 201, made.text
    derived = made.json()
    assert derived["id"] != source["id"] and derived["derived_from_id"] == source["id"]
    assert derived["edit"] == {
        "trim_start_s": 0.5,
        "trim_end_s": 2.0,
        "fade_in_s": 0.0,
        "fade_out_s": 0.0,
    }
    assert probe(_original(blobs, derived["sha256"], tmp_path)).duration_s == pytest.approx(
        1.5, abs=0.01
    )
    polled = client.get(f"{BASE}/{derived['id']}", headers=people["editor"]).json()
    assert polled["status"] == "ready" and polled["duration_s"] == pytest.approx(1.5, abs=0.01)
    # The source is as it was: another edit of it starts again from its whole original.
    kept = client.get(f"{BASE}/{source['id']}", headers=people["editor"]).json()
    assert kept["sha256"] == source["sha256"] and kept["duration_s"] == pytest.approx(3.0, 0.01)
    redo = _edit(client, people["editor"], source["id"], trim_start_s=1.0)
    assert redo.status_code == 201, redo.text
    assert redo.json()["duration_s"] == pytest.approx(2.0, abs=0.01)
    assert redo.json()["edit"]["trim_end_s"] is None
    assert _assets(db) == 3


def test_fades_start_and_end_in_silence(
    client: TestClient, people: People, source: dict[str, Any], blobs: MemoryBlobStore
) -> None:
    made = _edit(client, people["editor"], source["id"], fade_in_s=1.0, fade_out_s=1.0)
    assert made.status_code == 201, made.text
    clip = AudioSegment.from_wav(
        io.BytesIO(b"".join(blobs.open(original_key(made.json()["sha256"]))))
    )
    plain = AudioSegment.from_wav(io.BytesIO(b"".join(blobs.open(original_key(source["sha256"])))))
    middle = plain[1400:1600].rms
    assert clip[:50].rms < middle * 0.1
    assert clip[-50:].rms < middle * 0.1
    assert clip[1400:1600].rms == pytest.approx(middle, rel=0.05)


def test_the_same_edit_twice_gives_the_same_asset(
    client: TestClient, people: People, source: dict[str, Any], db: Database
) -> None:
    first = _edit(client, people["editor"], source["id"], trim_start_s=0.25, fade_in_s=0.5)
    again = _edit(client, people["owner"], source["id"], trim_start_s=0.25, fade_in_s=0.5)
    assert first.status_code == 201 and again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert _assets(db) == 2


BAD: list[tuple[dict[str, Any], str]] = [
    ({"trim_start_s": 3.5}, "trim_start_s"),
    ({"trim_start_s": 1.0, "trim_end_s": 5.0}, "trim_end_s"),
    ({"trim_start_s": 2.0, "trim_end_s": 1.0}, "trim_end_s"),
    ({"trim_start_s": 2.0, "fade_in_s": 1.5}, "fade_in_s"),
    ({"trim_end_s": 1.0, "fade_out_s": 2.0}, "fade_out_s"),
    ({"fade_in_s": -1}, "fade_in_s"),
    ({"trim_start_s": 0}, "trim_start_s"),
    ({"gain_db": 3}, "gain_db"),
]


def test_bad_values_are_422_naming_the_field_and_store_nothing(
    client: TestClient,
    people: People,
    source: dict[str, Any],
    db: Database,
    blobs: MemoryBlobStore,
) -> None:
    keys = set(blobs.keys())
    for body, field in BAD:
        found = problem(_edit(client, people["editor"], source["id"], **body), 422)
        assert field in str(found), (body, found)
    assert _assets(db) == 1 and set(blobs.keys()) == keys


def test_a_failed_render_leaves_nothing_behind(
    client: TestClient, people: People, source: dict[str, Any], db: Database, blobs: MemoryBlobStore
) -> None:
    blobs.delete(original_key(source["sha256"]))
    keys = set(blobs.keys())
    found = problem(_edit(client, people["editor"], source["id"], trim_start_s=1.0), 409)
    assert "missing" in found["detail"]
    assert _assets(db) == 1 and set(blobs.keys()) == keys


def test_contributors_are_refused_and_other_organisations_assets_not_found(
    client: TestClient, people: People, source: dict[str, Any], wav: bytes
) -> None:
    problem(_edit(client, people["contributor"], source["id"], trim_start_s=1.0), 403)
    theirs = client.post(
        "/v1/orgs/festival/assets",
        files={"file": ("voice.wav", wav, "audio/wav")},
        headers=people["stranger"],
    )
    assert theirs.status_code == 201, theirs.text
    problem(_edit(client, people["editor"], theirs.json()["id"], trim_start_s=1.0), 404)


def test_a_clip_too_long_for_pydub_streams_through_ffmpeg_alike(
    people: People, source: dict[str, Any], db: Database, blobs: MemoryBlobStore, tmp_path: Path
) -> None:
    queued: list[int] = []
    results = []
    # A limit below the clip's length sends this 3 s clip down the path of long recordings.
    limits = MediaLimits(max_edit_duration_s=1.0)
    for _ in range(2):
        with db.transaction() as session:
            asset = session.get(Asset, source["id"])
            assert asset is not None
            edit = checked_edit(3.0, trim_start_s=0.5, trim_end_s=2.5, fade_in_s=1.0)
            derived, created = derive_asset(
                session, blobs, asset, edit, user_id=None, limits=limits, queue=queued.append
            )
            results.append((derived.id, derived.sha256, derived.filename, created))
    (first, sha, name, created), (again, _, _, created_again) = results
    assert created and not created_again and first == again and queued == [first]
    assert name.endswith("-edit.flac")
    out = _original(blobs, sha, tmp_path)
    assert probe(out).duration_s == pytest.approx(2.0, abs=0.01)
    clip = AudioSegment.from_file(str(out), format="flac")
    middle = clip[1400:1600].rms
    assert clip[:50].rms < middle * 0.1
