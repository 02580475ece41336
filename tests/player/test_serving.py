"""The server's /play routes: the app shell, its assets and the service worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.webapps import PLAYER


@pytest.fixture
def client(tmp_path: Path, player_built: Path) -> TestClient:
    # No lifespan: these routes need neither the database nor the blob store.
    return TestClient(create_app(Settings(data_dir=tmp_path)))


@pytest.mark.parametrize("path", ["/play", "/play/moulin-de-marchienne", "/play/any-slug"])
def test_every_page_is_the_app_shell(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/play/assets/app.js">' in response.text
    assert 'id="player-state"' in response.text


def test_the_service_worker_may_control_all_of_play(client: TestClient) -> None:
    response = client.get("/play/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/play"
    assert response.headers["cache-control"] == "no-cache"
    assert "baladeur-shell-" in response.text


def test_assets_are_served_with_their_types(client: TestClient) -> None:
    js = client.get("/play/assets/app.js")
    css = client.get("/play/assets/app.css")
    assert js.status_code == css.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert css.headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("name", ["nope.js", "..%2Findex.html", "app.exe", ".hidden.js"])
def test_unknown_or_unsafe_asset_names_are_not_found(client: TestClient, name: str) -> None:
    response = client.get(f"/play/assets/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unbuilt_player_says_how_to_build_it(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PLAYER, "dist", tmp_path / "missing")
    response = client.get("/play")
    assert response.status_code == 404
    assert "npm run build" in response.json()["detail"]
