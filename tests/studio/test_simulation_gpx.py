"""GPX files as devices write them, loaded into the studio's simulation in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.studio.conftest import Studio, shot
from tests.support.studio_pages import desktop, sign_in

CENTRE = (50.4036, 4.395)  # (lat, lon) of the only stop


def _gpx(path: Path, body: str) -> Path:
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="tests" '
        f'xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>',
        encoding="utf-8",
    )
    return path


def _points(tag: str, count: int = 9) -> str:
    """``count`` points west to east through the stop, 0.0003 degrees (about 21 m) apart."""
    lat, lon = CENTRE
    return "".join(
        f'<{tag} lat="{lat}" lon="{lon + (k - count // 2) * 0.0003:.6f}"/>' for k in range(count)
    )


def test_gpx_fallbacks_are_walked_and_said(studio: Studio, chromium: Any, tmp_path: Path) -> None:
    headers = studio.api("editor")
    base = f"{studio.url}/v1/orgs/mill/trails"
    trail = httpx.post(
        base,
        json={"slug": "gpx-fallbacks", "title": {"en": "GPX"}, "languages": ["en"]},
        headers=headers,
    ).json()
    httpx.post(
        f"{base}/{trail['id']}/stops",
        json={
            "key": "gate",
            "title": {"en": "Gate"},
            "zone": {"type": "circle", "center": [CENTRE[1], CENTRE[0]], "radius_m": 25},
        },
        headers=headers,
    ).raise_for_status()

    context = desktop(chromium, studio.url)
    page = context.new_page()
    sign_in(page, "editor")
    page.goto(f"/studio/trails/{trail['id']}")
    page.wait_for_selector("#sim-title")
    warning = page.locator("#sim-warning")
    status = page.locator("#sim-status")
    inside = "#sim-lanes rect.lane-inside"

    # A track of one point beside a route of nine: the route is walked, and the panel says so.
    lone = f"<trk><trkseg>{_points('trkpt', 1)}</trkseg></trk>"
    page.set_input_files(
        "#gpx-file", str(_gpx(tmp_path / "route.gpx", f"{lone}<rte>{_points('rtept')}</rte>"))
    )
    page.wait_for_selector(inside)
    assert warning.is_visible()
    assert warning.text_content() == (
        "The track in this file has 1 point: its route (9 points) is walked instead."
    )
    assert (status.text_content() or "").startswith("A walk of about")
    shot(page, "simulation-gpx-route-warning")

    # Waypoints alone are walked in file order.
    page.set_input_files("#gpx-file", str(_gpx(tmp_path / "wpt.gpx", _points("wpt"))))
    page.wait_for_function(
        "() => document.querySelector('#sim-warning').textContent.includes('waypoints')"
    )
    assert warning.text_content() == (
        "This file has no track or route: its 9 waypoints are walked in file order."
    )
    page.wait_for_selector(inside)

    # An ordinary track: no warning.
    page.set_input_files(
        "#gpx-file",
        str(_gpx(tmp_path / "trk.gpx", f"<trk><trkseg>{_points('trkpt')}</trkseg></trk>")),
    )
    page.wait_for_selector("#sim-warning", state="hidden")
    page.wait_for_selector(inside)

    # Nothing to walk: a clear sentence, and the last walk stays on screen.
    page.set_input_files("#gpx-file", str(_gpx(tmp_path / "empty.gpx", lone)))
    page.wait_for_function(
        "() => document.querySelector('#sim-status').textContent.startsWith('This file has no')"
    )
    assert status.text_content() == (
        "This file has no track, route or waypoints to walk (two points at least)."
    )
    context.close()
