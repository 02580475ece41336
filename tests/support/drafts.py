"""Draft trails made through the API: a trail, its stops, a story placed on a stop.

``client`` is any httpx client: the in-process ``TestClient`` of the API tests, or an
``httpx.Client(base_url=...)`` on a live server for the browser tests.
"""

from __future__ import annotations

from typing import Any

import httpx


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def new_trail(
    client: httpx.Client,
    headers: dict[str, str],
    slug: str,
    *,
    title: str | None = None,
    org: str = "mill",
) -> dict[str, Any]:
    """A new draft trail in French (titled ``title``, else its slug), as the API answered."""
    body = {"slug": slug, "title": {"fr": title or slug}, "languages": ["fr"]}
    return _created(client.post(f"/v1/orgs/{org}/trails", json=body, headers=headers))


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
    silent: bool = False,
    org: str = "mill",
) -> dict[str, Any]:
    """A circle stop on a draft (telling the story ``story_id`` if given, else ``silent`` on
    purpose or not), as the API answered."""
    body: dict[str, Any] = {
        "key": key,
        "title": {"fr": title or key},
        "zone": {"type": "circle", "center": list(center), "radius_m": radius_m},
    }
    if story_id is not None:
        body["story_id"] = story_id
    if silent:
        body["silent"] = True
    return _created(
        client.post(f"/v1/orgs/{org}/trails/{trail_id}/stops", json=body, headers=headers)
    )


def trail_with_stop(
    client: httpx.Client, headers: dict[str, str], slug: str, key: str, **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new draft trail with one stop: the trail and the stop, as the API answered.

    ``options`` are those of :func:`add_stop` (``story_id`` places a story on the stop),
    and ``trail_title``.
    """
    trail_title = options.pop("trail_title", None)
    trail = new_trail(client, headers, slug, title=trail_title, org=options.get("org", "mill"))
    return trail, add_stop(client, headers, trail["id"], key, **options)
