"""/docs works offline and under a CSP that names no other origin (finding 10 of issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.support.browser import artefact
from tests.support.live import live_server


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, inprocess_worker=False, scheduler_interval_s=0)


def test_docs_name_no_other_origin(tmp_path: Path) -> None:
    with TestClient(create_app(_settings(tmp_path))) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "http" not in csp
        assert "http" not in page.text and "<script>" not in page.text  # no inline script
        for name in ("swagger-ui-bundle.js", "swagger-ui.css", "start.js"):
            asset = client.get(f"/docs/assets/{name}")
            assert asset.status_code == 200 and len(asset.content) > 100, name
        assert client.get("/docs/assets/..%2Fapp.py").status_code == 404
        # FastAPI's own pages, which load from a CDN, are gone.
        assert client.get("/redoc").status_code == 404


def test_docs_render_with_no_network_beyond_the_server(chromium: Any, tmp_path: Path) -> None:
    with live_server(create_app(_settings(tmp_path))) as base:
        context = chromium.new_context()
        page = context.new_page()
        elsewhere: list[str] = []
        violations: list[str] = []

        def only_ours(route: Any) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:  # offline: nothing outside this server answers
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_ours)
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{base}/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
        assert "Baladeur" in page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector(".opblock-tag", timeout=20_000)
        page.screenshot(path=str(artefact("docs", "docs.png")))
        context.close()
    assert elsewhere == [] and violations == []
