"""The offline base map of a release: raster tiles around the trail packed into one PMTiles
archive (docs/player.md, "Base map"; docs/bundle-format.md, section 2.8).

Publishing asks the configured tile server for the tiles covering the trail's box plus a
margin, zoom by zoom from the lowest, with a bounded number of requests at once and a time
limit on each. A failing or slow server, or a first zoom already over the size cap, gives a
release without a base map and a reason; publishing goes on either way.
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from server.settings import Settings

# Around the trail's box, so that a visitor a little off the route still sees the map.
MARGIN_M = 250
# Requests to the tile server at once, and the whole fetch's time budget (tile limits x this).
CONCURRENCY = 6
BUDGET_FACTOR = 6
_M_PER_DEG = 111_320
_MAX_LAT = 85.0511287798
_TYPES = {b"\x89PNG\r\n\x1a\n": ("png", TileType.PNG), b"\xff\xd8\xff": ("jpeg", TileType.JPEG)}


class TilesUnavailable(Exception):
    """The tile server failed, was too slow, or answered something other than images."""


@dataclass(frozen=True)
class BasemapConfig:
    """What publishing needs to pack a base map; from the settings (``BALADEUR_BASEMAP_*``)."""

    url_template: str
    min_zoom: int
    max_zoom: int
    max_bytes: int
    attribution: str
    timeout_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> BasemapConfig | None:
        """The configuration, or None when no tile URL is set (the feature is off)."""
        if not settings.basemap_tile_url:
            return None
        return cls(
            settings.basemap_tile_url,
            settings.basemap_min_zoom,
            max(settings.basemap_min_zoom, settings.basemap_max_zoom),
            settings.basemap_max_bytes,
            settings.basemap_attribution,
            settings.basemap_timeout_s,
        )


@dataclass(frozen=True)
class Basemap:
    """A packed archive and the manifest member that describes it."""

    data: bytes
    member: dict[str, Any]


@dataclass
class Outcome:
    """What publishing says about the base map: the archive, or why there is none."""

    basemap: Basemap | None
    zooms: list[int] = field(default_factory=list)
    dropped_zooms: list[int] = field(default_factory=list)
    reason: str | None = None

    def report(self) -> dict[str, Any]:
        """The JSON of the publish outcome's ``basemap`` entry."""
        return {
            "included": self.basemap is not None,
            "bytes": len(self.basemap.data) if self.basemap else 0,
            "zooms": self.zooms,
            "dropped_zooms": self.dropped_zooms,
            "reason": self.reason,
        }


def padded_bbox(bbox: Iterable[float], margin_m: float = MARGIN_M) -> list[float]:
    """A [west, south, east, north] box grown by ``margin_m`` on every side."""
    west, south, east, north = bbox
    dlat = margin_m / _M_PER_DEG
    dlon = margin_m / (_M_PER_DEG * max(0.01, math.cos(math.radians(max(abs(south), abs(north))))))
    return [
        max(-180.0, west - dlon),
        max(-_MAX_LAT, south - dlat),
        min(180.0, east + dlon),
        min(_MAX_LAT, north + dlat),
    ]


def tile_xy(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The Web Mercator (XYZ) tile holding a position at a zoom."""
    n = 2**zoom
    lat = max(-_MAX_LAT, min(_MAX_LAT, lat))
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(n - 1, max(0, x)), min(n - 1, max(0, y))


def tiles_covering(bbox: list[float], zoom: int) -> list[tuple[int, int, int]]:
    """Every (z, x, y) tile that a box touches at a zoom."""
    west, south, east, north = bbox
    x0, y0 = tile_xy(west, north, zoom)
    x1, y1 = tile_xy(east, south, zoom)
    return [(zoom, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def _kind(data: bytes) -> tuple[str, TileType] | None:
    return next((kind for magic, kind in _TYPES.items() if data.startswith(magic)), None)


def fetch_tiles(
    config: BasemapConfig, tiles: list[tuple[int, int, int]], deadline: float
) -> dict[tuple[int, int, int], bytes]:
    """Download tiles, a few at a time; any failure or a passed deadline raises."""
    lock = threading.Lock()
    out: dict[tuple[int, int, int], bytes] = {}
    limits = httpx.Limits(max_connections=CONCURRENCY)
    headers = {"User-Agent": "Baladeur offline base map packer"}
    with httpx.Client(timeout=config.timeout_s, limits=limits, headers=headers) as client:

        def one(tile: tuple[int, int, int]) -> None:
            if time.monotonic() > deadline:
                raise TilesUnavailable("the tile server was too slow")
            z, x, y = tile
            url = config.url_template.format(z=z, x=x, y=y)
            try:
                response = client.get(url)
            except httpx.HTTPError as exc:
                raise TilesUnavailable(f"tile {z}/{x}/{y}: {type(exc).__name__}") from None
            if response.status_code != 200:
                raise TilesUnavailable(f"tile {z}/{x}/{y}: HTTP {response.status_code}")
            if _kind(response.content) is None:
                raise TilesUnavailable(f"tile {z}/{x}/{y} is not a PNG or JPEG image")
            with lock:
                out[tile] = response.content

        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            for _ in pool.map(one, tiles):
                pass
    return out


def pack(
    tiles: dict[tuple[int, int, int], bytes], bounds: list[float], attribution: str
) -> tuple[bytes, str]:
    """One PMTiles v3 archive of raster tiles (all of one image type); returns it and the type."""
    kinds = {_kind(data) for data in tiles.values()}
    if len(kinds) != 1 or None in kinds:
        raise TilesUnavailable("the tiles are not all PNG or all JPEG")
    name, tile_type = next(iter(kinds))  # type: ignore[misc]
    zooms = sorted({z for z, _, _ in tiles})
    buffer = io.BytesIO()
    writer = Writer(buffer)
    for tile_id, data in sorted((zxy_to_tileid(*t), d) for t, d in tiles.items()):
        writer.write_tile(tile_id, data)
    west, south, east, north = bounds
    e7 = 10_000_000
    writer.finalize(
        {
            "tile_type": tile_type,
            "tile_compression": Compression.NONE,
            "min_lon_e7": int(west * e7),
            "min_lat_e7": int(south * e7),
            "max_lon_e7": int(east * e7),
            "max_lat_e7": int(north * e7),
            "center_zoom": zooms[0],
            "center_lon_e7": int((west + east) / 2 * e7),
            "center_lat_e7": int((south + north) / 2 * e7),
        },
        {"name": "Baladeur base map", "format": name, "attribution": attribution},
    )
    return buffer.getvalue(), name


def build_basemap(config: BasemapConfig, trail_bbox: list[float]) -> Outcome:
    """Fetch and pack the tiles around a trail; never raises for the tile server's sake."""
    bounds = padded_bbox(trail_bbox)
    deadline = time.monotonic() + config.timeout_s * BUDGET_FACTOR
    kept: dict[tuple[int, int, int], bytes] = {}
    total = 0
    zooms: list[int] = []
    dropped: list[int] = []
    for zoom in range(config.min_zoom, config.max_zoom + 1):
        wanted = tiles_covering(bounds, zoom)
        # Each zoom has about four times the tiles of the one before: skip one that would
        # surely not fit, without downloading it.
        average = total / len(kept) if kept else 0
        if dropped or average * len(wanted) > config.max_bytes - total:
            dropped.append(zoom)
            continue
        try:
            got = fetch_tiles(config, wanted, deadline)
        except TilesUnavailable as exc:
            return Outcome(None, reason=f"no base map: {exc}")
        size = sum(len(d) for d in got.values())
        if total + size > config.max_bytes:
            dropped.append(zoom)
            continue
        kept.update(got)
        total += size
        zooms.append(zoom)
    if not kept:
        return Outcome(
            None,
            dropped_zooms=dropped,
            reason=f"no base map: zoom {config.min_zoom} alone is over the size cap",
        )
    try:
        data, tile_type = pack(kept, bounds, config.attribution)
    except TilesUnavailable as exc:
        return Outcome(None, reason=f"no base map: {exc}")
    member = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "tile_type": tile_type,
        "min_zoom": zooms[0],
        "max_zoom": zooms[-1],
        "bounds": [round(v, 6) for v in bounds],
        "attribution": config.attribution,
    }
    reason = None
    if dropped:
        reason = f"zooms {dropped[0]} to {dropped[-1]} left out to stay under the size cap"
    return Outcome(Basemap(data, member), zooms, dropped, reason)
