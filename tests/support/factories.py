"""Small trails built in code for database and API tests."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from media.blobs import BlobStore
from media.blobs.memory import MemoryBlobStore
from media.limits import MediaLimits
from server.accounts import get_or_create_organisation
from server.db.models import Release
from server.db.session import Database
from server.folder_media import MediaContext
from server.publishing import publish
from server.source_import import import_source
from trails.bundle.signing import Keyring
from trails.source import LoadedSource, parse_source


def trail_source(slug: str, lat: float, lon: float, **overrides: Any) -> LoadedSource:
    """A one-stop trail (no media) starting at ``lat, lon``."""
    data: dict[str, Any] = {
        "slug": slug,
        "languages": ["fr"],
        "title": {"fr": slug},
        "stops": [
            {
                "key": "depart",
                "title": {"fr": "Départ"},
                "zone": {"type": "circle", "center": [lon, lat], "radius_m": 30},
            }
        ],
    }
    data.update(overrides)
    return LoadedSource(parse_source(data), Path("."))


_SHARED_KEYS = Keyring(Path(tempfile.mkdtemp(prefix="baladeur-test-keys-")))


def add_trail(
    db: Database,
    loaded: LoadedSource,
    *,
    published: bool = True,
    blobs: BlobStore | None = None,
    keys: Keyring | None = None,
) -> Release | None:
    """Import a trail into the test organisation, and publish it unless told not to."""
    blobs = blobs or MemoryBlobStore()
    with db.transaction() as session:
        org = get_or_create_organisation(session, "tests")
        import_source(session, loaded, org, loaded.trail.slug, MediaContext(blobs, MediaLimits()))
    if not published:
        return None
    return publish(db, blobs, keys or _SHARED_KEYS, loaded.trail.slug, publisher="tests")


def add_demo(db: Database, folder: Path, blobs: BlobStore, keys: Keyring | None = None) -> Release:
    """Import the demo trail with its media, encode everything, and publish it."""
    from sqlalchemy import select

    from server.db.models import Asset, AssetStatus
    from server.ingest import process_many
    from trails.source import load_source

    loaded = load_source(folder)
    with db.transaction() as session:
        org = get_or_create_organisation(session, "demo")
        import_source(session, loaded, org, "demo", MediaContext(blobs, MediaLimits()))
        pending = session.scalars(select(Asset.id).where(Asset.status == AssetStatus.pending))
        asset_ids = list(pending)
    statuses = process_many(db, blobs, asset_ids, limits=MediaLimits())
    assert set(statuses.values()) == {AssetStatus.ready}
    return publish(db, blobs, keys or _SHARED_KEYS, loaded.trail.slug, publisher="demo")


def two_stop_folder(tmp_path: Path) -> Path:
    """A trail folder 'walk' with two stops, each with a one-second Opus story."""
    import yaml

    from tests.support.audio import ffmpeg_make, tone

    folder = tmp_path / "trail"
    (folder / "media").mkdir(parents=True)
    for name in ("a", "b"):
        ffmpeg_make(folder / "media" / f"{name}.opus", *tone(1), "-c:a", "libopus")
    data = {
        "slug": "walk",
        "languages": ["fr"],
        "title": {"fr": "Walk"},
        "stops": [
            {
                "key": key,
                "title": {"fr": key},
                "zone": {"type": "circle", "center": [4.39 + i / 1000, 50.4], "radius_m": 20},
                "story": {"versions": {"fr": {"audio": f"media/{key}.opus"}}},
            }
            for i, key in enumerate(("a", "b"))
        ],
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(data))
    return folder
