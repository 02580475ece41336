"""The Content-Security-Policy of the studio and the player: served on every page and script,
strict, following the tile setting, and what a browser really enforces."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.testclient import TestClient

from media.blobs.local import LocalBlobStore
from media.blobs.memory import MemoryBlobStore
from server import security
from server.app import create_app
from server.db.session import Database
from server.keys import keyring
from server.settings import Settings
from tests.security.conftest import World
from tests.support.browser import CSP_VIOLATIONS, watch_csp
from tests.support.live import live_server
from tests.support.studio_pages import VIEWPORT, sign_in

STUDIO_PATHS = [
    "/studio",
    "/studio/trails/3/publish",
    "/studio/assets/app.js",
    "/studio/assets/app.css",
    "/studio/config.json",
]
PLAYER_PATHS = [
    "/play",
    "/play/moulin-de-marchienne",
    "/play/sw.js",
    "/play/assets/app.js",
    "/play/assets/app.css",
    "/play/assets/icon.svg",
    "/play/assets/player.webmanifest",
]
CONTRIBUTE_PATHS = [
    "/contribute/inv_somecode",
    "/contribute/withdraw",
    "/contribute/assets/app.js",
    "/contribute/assets/app.css",
]
COMMON = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "media-src": ["'self'", "blob:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# A 1x1 PNG, for the tile server.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def policy(header: str) -> dict[str, list[str]]:
    """A CSP header as directive -> sources."""
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in parsed, f"{name} twice"
        parsed[name] = sources
    return parsed


def _client(db: Database, tmp_path: Path, **settings: Any) -> TestClient:
    app = create_app(
        Settings(data_dir=tmp_path, inprocess_worker=False, **settings),
        database=db,
        blobs=MemoryBlobStore(),
    )
    return TestClient(app)


def test_every_page_and_script_of_the_apps_carries_the_strict_policy(
    db: Database, tmp_path: Path
) -> None:
    tiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    with _client(db, tmp_path, tile_url=tiles) as client:
        for path in STUDIO_PATHS + PLAYER_PATHS + CONTRIBUTE_PATHS:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text)
            header = response.headers["content-security-policy"]
            assert "unsafe-inline" not in header and "unsafe-eval" not in header
            studio = path.startswith("/studio")
            player = path.startswith("/play")
            expected = {
                **COMMON,
                "img-src": ["'self'", "data:", "blob:"]
                + (["https://tile.openstreetmap.org"] if studio else []),
                "worker-src": ["'self'"] if player else ["'none'"],
            }
            assert policy(header) == expected, path
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
            # The residents' pages record from the microphone: this origin may use it.
            assert "microphone=(self)" in response.headers["permissions-policy"]


@pytest.mark.parametrize(
    ("tile_url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}{r}.png", "http://127.0.0.1:8080"),
        ("https://tiles.{s}.example.org/{z}/{x}/{y}.png", "https:"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_the_tile_source_follows_the_setting(
    db: Database, tmp_path: Path, tile_url: str, source: str | None
) -> None:
    assert security.tile_source(tile_url) == source
    with _client(db, tmp_path, tile_url=tile_url) as client:
        studio = policy(client.get("/studio").headers["content-security-policy"])
        player = policy(client.get("/play").headers["content-security-policy"])
    assert studio["img-src"] == ["'self'", "data:", "blob:"] + ([source] if source else [])
    assert player["img-src"] == ["'self'", "data:", "blob:"]  # the player draws no tiles


@pytest.mark.parametrize(
    ("settings", "origins"),
    [
        ({"s3_endpoint_url": "http://minio.local:9000"}, ["http://minio.local:9000"]),
        (
            {"s3_region": "eu-west-3"},
            ["https://s3.amazonaws.com", "https://s3.eu-west-3.amazonaws.com"],
        ),
    ],
)
def test_with_object_storage_the_player_may_follow_bundle_and_media_redirects(
    settings: dict[str, str], origins: list[str]
) -> None:
    configured = Settings(blob_backend="s3", s3_bucket="b", **settings)  # type: ignore[arg-type]
    player = policy(security.app_policy("player", configured))
    studio = policy(security.app_policy("studio", configured))
    assert player["connect-src"] == ["'self'", *origins]
    # A trail's cover is an <img> of /v1/media/..., which the store then serves.
    assert player["img-src"][-len(origins) :] == origins
    assert studio["connect-src"] == ["'self'"]
    assert not set(origins) & set(studio["img-src"])


def test_files_opened_as_pages_run_nothing() -> None:
    """An image, a recording or an SVG opened by itself: no script, no request, sandboxed."""
    app = FastAPI()

    @app.get("/file.svg")
    def svg() -> Response:
        return Response(b"<svg xmlns='http://www.w3.org/2000/svg'/>", media_type="image/svg+xml")

    @app.get("/data")
    def data() -> dict[str, int]:
        return {"a": 1}

    security.install(app, Settings())
    with TestClient(app) as client:
        assert client.get("/file.svg").headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'; sandbox"
        )
        assert client.get("/data").headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )


@pytest.fixture(scope="module")
def tiles() -> Iterator[str]:
    """A tile server of another origin (Leaflet asks it for CORS images)."""
    app = FastAPI()

    @app.get("/tiles/{z}/{x}/{y}.png")
    def tile(z: int, x: int, y: int) -> Response:
        return Response(PNG, media_type="image/png", headers={"Access-Control-Allow-Origin": "*"})

    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def studio_with_tiles(world: World, tiles: str) -> Iterator[str]:
    """The hostile world's data served again, with base map tiles from the tile server."""
    settings = Settings(
        data_dir=world.folder,
        database_url=f"sqlite:///{world.folder / 'test.db'}",
        inprocess_worker=False,
        scheduler_interval_s=0,
        tile_url=f"{tiles}/tiles/{{z}}/{{x}}/{{y}}.png",
        tile_attribution="<b>Tiles</b> © <a href=javascript:alert(1)>somebody</a>",
    )
    app = create_app(
        settings,
        database=world.db,
        blobs=LocalBlobStore(settings.resolved_blob_dir),
        keys=keyring(settings),
    )
    with live_server(app) as url:
        yield url


def test_the_browser_enforces_the_studio_policy(
    world: World, chromium: Any, studio_with_tiles: str, tiles: str
) -> None:
    context = watch_csp(chromium.new_context(viewport=VIEWPORT, base_url=studio_with_tiles))
    page = context.new_page()
    sign_in(page, "owner")
    page.goto(f"/studio/trails/{world.trails['api']}")
    page.wait_for_selector(".leaflet-tile-loaded")  # tiles of the configured origin load
    credits = page.locator("#map-credits")
    assert "<b>Tiles</b> © <a href=javascript:alert(1)>somebody</a>" in credits.inner_text()
    assert credits.locator("b, a[href^=javascript]").count() == 0
    assert CSP_VIOLATIONS == []

    # What the policy stops, should any markup ever reach the page again.
    page.evaluate(
        """(tiles) => {
          document.body.insertAdjacentHTML('beforeend',
            '<img src=x onerror="window.__xss=1"><div id=styled style="color: red">x</div>');
          const script = document.createElement('script');
          script.textContent = 'window.__inline = 1';
          document.body.append(script);
          const remote = document.createElement('script');
          remote.src = `${tiles}/evil.js`;
          document.body.append(remote);
          new Image().src = 'http://127.0.0.2:9/pixel.png';
        }""",
        tiles,
    )
    page.wait_for_timeout(500)
    assert page.evaluate("() => [window.__xss, window.__inline]") == [None, None]
    # A style attribute from markup is refused too: no 'unsafe-inline' for styles.
    assert page.evaluate("() => getComputedStyle(document.getElementById('styled')).color") != (
        "rgb(255, 0, 0)"
    )
    directives = " ".join(CSP_VIOLATIONS)
    for directive in ("script-src-attr", "script-src-elem", "style-src-attr", "img-src"):
        assert f'"directive":"{directive}"' in directives, directive
    CSP_VIOLATIONS.clear()  # expected: they are what this test provoked
    context.close()
