"""The offline base map packed at publish, from a tile server on loopback."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pmtiles.reader import MemorySource, Reader, all_tiles
from pmtiles.tile import TileType
from pydantic import ValidationError
from sqlalchemy import select

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.basemap import BasemapConfig
from server.db.models import Release
from server.db.session import Database
from server.gc import orphan_basemaps
from server.publishing import cut_release, publish, release_size_report
from server.settings import Settings
from tests.support.factories import add_trail, trail_source
from tests.support.tiles import tile_png, tile_server
from trails.bundle.signing import Keyring
from trails.bundle.verify import verify_bundle
from trails.storage_names import basemap_key

ZOOMS = (14, 16)
ATTRIBUTION = "© Test tiles contributors"


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring(tmp_path / "keys")


def config(url: str, **changes: Any) -> BasemapConfig:
    values: dict[str, Any] = {
        "url_template": f"{url}/tiles/{{z}}/{{x}}/{{y}}.png",
        "min_zoom": ZOOMS[0],
        "max_zoom": ZOOMS[1],
        "max_bytes": 10 * 1024**2,
        "attribution": ATTRIBUTION,
        "timeout_s": 5.0,
        **changes,
    }
    return BasemapConfig(**values)


def osm_tiles(bounds: list[float], z: int) -> set[tuple[int, int, int]]:
    """The tiles a box touches, by the usual slippy-map formula (written apart from the code)."""
    west, south, east, north = bounds
    n = 2**z

    def x_of(lon: float) -> int:
        return math.floor((lon + 180) / 360 * n)

    def y_of(lat: float) -> int:
        r = math.radians(lat)
        return math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)

    return {
        (z, x, y)
        for x in range(x_of(west), x_of(east) + 1)
        for y in range(y_of(north), y_of(south) + 1)
    }


def published(
    db: Database, blobs: MemoryBlobStore, keys: Keyring, basemap: BasemapConfig | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Publish the one-stop trail 'walk'; its opus manifest and the release's size report."""
    add_trail(db, trail_source("walk", 50.405, 4.395), published=False, blobs=blobs)
    release = publish(db, blobs, keys, "walk", publisher="tests", basemap=basemap)
    with db.transaction() as session:
        row = session.get_one(Release, release.id)
        manifest = json.loads(next(b for b in row.bundles if b.profile == "opus").manifest_bytes)
        return manifest, release_size_report(row, 150 * 1024**2)


def archive_tiles(data: bytes) -> dict[tuple[int, int, int], bytes]:
    return {tuple(zxy): tile for zxy, tile in all_tiles(MemorySource(data))}


def test_publish_packs_the_tiles_around_the_trail(
    db: Database, keys: Keyring, tmp_path: Path
) -> None:
    blobs = MemoryBlobStore()
    with tile_server() as tiles:
        manifest, report = published(db, blobs, keys, config(tiles.url))
    member = manifest["basemap"]
    assert manifest["format_minor"] == 1
    data = b"".join(blobs.open(basemap_key(member["sha256"])))
    assert hashlib.sha256(data).hexdigest() == member["sha256"] and len(data) == member["bytes"]
    # The bounds hold the trail's box and at least 200 m more on every side.
    west, south, east, north = manifest["trail"]["bbox"]
    bounds = member["bounds"]
    assert bounds[0] < west - 0.0025 and bounds[2] > east + 0.0025
    assert bounds[1] < south - 0.0018 and bounds[3] > north + 0.0018
    expected = set().union(*(osm_tiles(bounds, z) for z in range(ZOOMS[0], ZOOMS[1] + 1)))
    got = archive_tiles(data)
    assert set(got) == expected
    assert all(got[t] == tile_png(*t) for t in expected)  # each tile under its own z/x/y
    assert sorted(tiles.requests) == sorted(expected)  # each fetched once, nothing more
    reader = Reader(MemorySource(data))
    header = reader.header()
    assert header["tile_type"] == TileType.PNG
    assert (header["min_zoom"], header["max_zoom"]) == ZOOMS
    assert reader.metadata()["attribution"] == ATTRIBUTION
    assert member["attribution"] == ATTRIBUTION and member["tile_type"] == "png"
    assert (member["min_zoom"], member["max_zoom"]) == ZOOMS
    assert report["basemap"]["included"] is True and report["basemap"]["dropped_zooms"] == []
    assert report["warnings"] == []

    # The bundle with its 1.1 manifest verifies; the archive is served by hash, with ranges.
    app = create_app(
        Settings(data_dir=tmp_path, inprocess_worker=False), database=db, blobs=blobs, keys=keys
    )
    with TestClient(app) as client:
        bundle = client.get("/v1/trails/walk/bundle")
        (tmp_path / "walk.zip").write_bytes(bundle.content)
        trusted = {k.id: k.public_key for k in keys.public_keys()}
        assert verify_bundle(tmp_path / "walk.zip", trusted).ok
        url = f"/v1/basemaps/{member['sha256']}.pmtiles"
        whole = client.get(url)
        assert whole.status_code == 200 and whole.content == data
        assert whole.headers["etag"] == f'"{member["sha256"]}"'
        part = client.get(url, headers={"Range": "bytes=100-"})
        assert part.status_code == 206 and part.content == data[100:]
        assert client.get(f"/v1/basemaps/{'0' * 64}.pmtiles").status_code == 404


def test_unreferenced_archives_are_collected(db: Database, keys: Keyring) -> None:
    blobs = MemoryBlobStore()
    with tile_server() as tiles:
        manifest, _ = published(db, blobs, keys, config(tiles.url))
    kept = basemap_key(manifest["basemap"]["sha256"])
    orphan = basemap_key("0" * 64)  # as a publish that died before its release committed
    blobs.put(orphan, [b"PMTiles"])
    assert orphan_basemaps(db, blobs) == []  # within the grace period: maybe a publish at work
    assert orphan_basemaps(db, blobs, grace=timedelta(0)) == [orphan]
    assert blobs.exists(kept) and not blobs.exists(orphan)


def test_a_cut_release_keeps_the_base_map(db: Database, keys: Keyring) -> None:
    blobs = MemoryBlobStore()
    with tile_server() as tiles:
        manifest, _ = published(db, blobs, keys, config(tiles.url))
    with db.transaction() as session:
        release_id = session.scalars(select(Release.id).order_by(Release.id.desc())).first()
    assert release_id is not None
    cut = cut_release(db, blobs, keys, release_id, set(), notes="cut")
    assert cut is not None
    with db.transaction() as session:
        row = session.get_one(Release, cut.id)
        again = json.loads(row.bundles[0].manifest_bytes)
    assert again["basemap"] == manifest["basemap"] and again["format_minor"] == 1


def test_the_size_cap_drops_the_highest_zooms(db: Database, keys: Keyring) -> None:
    blobs = MemoryBlobStore()
    with tile_server() as tiles:
        full, _ = published(db, blobs, keys, config(tiles.url))
        bounds = full["basemap"]["bounds"]
        sizes = {z: sum(len(tile_png(*t)) for t in osm_tiles(bounds, z)) for z in range(14, 17)}
        # Room for zooms 14 and 15, not for 16.
        cap = sizes[14] + sizes[15] + sizes[16] // 2
        tiles.requests.clear()
        manifest, report = published(db, blobs, keys, config(tiles.url, max_bytes=cap))
    member = manifest["basemap"]
    got = archive_tiles(b"".join(blobs.open(basemap_key(member["sha256"]))))
    assert {z for z, _, _ in got} == {14, 15}
    assert (member["min_zoom"], member["max_zoom"]) == (14, 15)
    assert report["basemap"]["dropped_zooms"] == [16]
    assert any("size cap" in w for w in report["warnings"])


@pytest.mark.parametrize("mode", ["fail", "slow", "down"])
def test_a_failing_tile_server_leaves_the_release_without_a_map(
    db: Database, keys: Keyring, mode: str
) -> None:
    blobs = MemoryBlobStore()
    with tile_server() as tiles:
        tiles.mode, tiles.delay_s = mode, 2.0
        url = tiles.url
    if mode != "down":  # "down": the server is gone, its port closed
        with tile_server() as tiles:
            tiles.mode, tiles.delay_s = mode, 2.0
            manifest, report = published(db, blobs, keys, config(tiles.url, timeout_s=0.3))
    else:
        manifest, report = published(db, blobs, keys, config(url, timeout_s=0.3))
    assert "basemap" not in manifest and "format_minor" not in manifest
    assert report["basemap"]["included"] is False
    assert report["basemap"]["reason"].startswith("no base map")
    assert any(w.startswith("base map: no base map") for w in report["warnings"])
    assert not list(blobs.scan("basemaps/"))


@pytest.mark.parametrize(
    "url", ["http://tiles/{z}/{x}.png", "http://{s}.tiles/{z}/{x}/{y}.png", "file:///{z}/{x}/{y}"]
)
def test_a_tile_url_without_exactly_z_x_y_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="tile URL"):
        Settings(basemap_tile_url=url, inprocess_worker=False)


def test_without_the_setting_nothing_changes(db: Database, keys: Keyring) -> None:
    blobs = MemoryBlobStore()
    assert BasemapConfig.from_settings(Settings(inprocess_worker=False)) is None
    manifest, report = published(db, blobs, keys, None)
    assert "basemap" not in manifest and "format_minor" not in manifest
    assert "basemap" not in report
    assert not list(blobs.scan("basemaps/"))
