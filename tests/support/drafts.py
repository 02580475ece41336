"""Draft trails made through the API: a trail, its stops, a story placed on a stop.

``client`` is any httpx client: the in-process ``TestClient`` of the API tests, or an
``httpx.Client(base_url=...)`` on a live server for the browser tests.
"""

from __future__ import annotations

from typing import Any

import httpx


def new_trail(
    client: httpx.Client,
    headers: dict[str, str],
    slug: str,
    *,
    title: str | None = None,
    org: str = "mill",
) -> dict[str, Any]:
    """A new draft trail in French (titled ``title``, else its slug), as the API answered."""
    r = client.post(
        f"/v1/orgs/{org}/trails",
        json={"slug": slug, "title": {"fr": title or slug}, "languages": ["fr"]},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    trail: dict[str, Any] = r.json()
    return trail


def add_stop(
    client: httpx.Client,
    headers: dict[str, str],
    trail_id: int,
    key: str,
    *,
    title: str | None = None,
    center: tuple[float, float] = (4.395, 50.4036),
    radius_m: float = 25,
    story_id: int | None = None,
    org: str = "mill",
) -> dict[str, Any]:
    """A circle stop on a draft (telling the story ``story_id`` if given), as the API answered."""
    body: dict[str, Any] = {
        "key": key,
        "title": {"fr": title or key},
        "zone": {"type": "circle", "center": list(center), "radius_m": radius_m},
    }
    if story_id is not None:
        body["story_id"] = story_id
    r = client.post(f"/v1/orgs/{org}/trails/{trail_id}/stops", json=body, headers=headers)
    assert r.status_code == 201, r.text
    stop: dict[str, Any] = r.json()
    return stop


def trail_with_stop(
    client: httpx.Client,
    headers: dict[str, str],
    *,
    slug: str,
    key: str,
    trail_title: str | None = None,
    stop_title: str | None = None,
    center: tuple[float, float] = (4.395, 50.4036),
    radius_m: float = 25,
    story_id: int | None = None,
    org: str = "mill",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new draft trail with one stop (telling ``story_id`` if given): the trail and the stop."""
    trail = new_trail(client, headers, slug, title=trail_title, org=org)
    stop = add_stop(
        client,
        headers,
        trail["id"],
        key,
        title=stop_title,
        center=center,
        radius_m=radius_m,
        story_id=story_id,
        org=org,
    )
    return trail, stop
