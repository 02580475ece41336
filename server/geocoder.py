"""Searching places by name through a Nominatim-compatible geocoder, for the studio's map.

The studio's pages may reach no other site (their CSP), so the server asks the geocoder
configured by ``BALADEUR_GEOCODER_URL`` on the editor's behalf. It sends the words searched
and the interface language, nothing about the person; it keeps nothing, and says in words
when the geocoder is down, too slow, or answers something that is not a list of places.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import httpx

from server.errors import UpstreamFailed, UpstreamTimeout
from server.settings import Settings
from trails.errors import NotFound
from trails.messages import msg
from trails.versions import PACKAGE_VERSION

# Nominatim's usage policy asks every application to name itself.
USER_AGENT = f"Baladeur/{PACKAGE_VERSION} (audio trail studio, place search)"
# Places listed per search: enough to choose among homonyms, few enough to read.
MAX_PLACES = 8
# A geocoder's answer larger than this is not a short list of places.
MAX_ANSWER_BYTES = 512 * 1024
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class Place:
    """A place found: its name, its point and, when given, its box [west, south, east, north]."""

    name: str
    lat: float
    lon: float
    bbox: list[float] | None


def _number(value: Any) -> float | None:
    # Nominatim writes coordinates as strings; other geocoders as numbers.
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _place(item: Any) -> Place | None:
    """One entry of the answer as a place, or None when it has no usable point."""
    if not isinstance(item, dict):
        return None
    lat, lon = _number(item.get("lat")), _number(item.get("lon"))
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    name = item.get("display_name") or item.get("name")
    if not isinstance(name, str) or not name.strip():
        name = f"{lat:.5f}, {lon:.5f}"
    bbox = None
    box = item.get("boundingbox")
    if not isinstance(box, list) or len(box) != 4:
        box = []
    values = [n for n in map(_number, box) if n is not None]
    if len(values) == 4:
        # Nominatim's order is south, north, west, east; GeoJSON's is west, south, east, north.
        south, north, west, east = values
        bbox = [west, south, east, north]
    return Place(name.strip()[:300], lat, lon, bbox)


def search(settings: Settings, query: str, language: str | None) -> list[Place]:
    """The places the geocoder finds for ``query``, best first, at most MAX_PLACES."""
    if not settings.geocoder_url:
        raise NotFound(msg("no place search is configured on this server; type coordinates"))
    params = {"format": "jsonv2", "q": query, "limit": str(MAX_PLACES)}
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if language:
        params["accept-language"] = language
    try:
        with (
            httpx.Client(timeout=settings.geocoder_timeout_s, follow_redirects=False) as client,
            client.stream(
                "GET", f"{settings.geocoder_url}/search", params=params, headers=headers
            ) as response,
        ):
            body = _read(response)
    except httpx.TimeoutException:
        raise UpstreamTimeout(
            msg("the place search did not answer in time; try again, or type coordinates")
        ) from None
    except httpx.HTTPError:
        raise UpstreamFailed(
            msg("the place search cannot be reached; try again later, or type coordinates")
        ) from None
    return _places(body)


def _read(response: httpx.Response) -> bytes:
    if response.status_code != 200:
        raise UpstreamFailed(
            msg(
                "the place search answered with an error ({status}); try again later, "
                "or type coordinates",
                status=response.status_code,
            )
        )
    body = b""
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            break
    return body


def _places(body: bytes) -> list[Place]:
    try:
        answer = json.loads(body)
    except ValueError:  # not JSON, not UTF-8, or cut at the size limit
        answer = None
    if not isinstance(answer, list):
        raise UpstreamFailed(
            msg("the place search answered something other than a list of places; type coordinates")
        )
    places = [p for p in (_place(item) for item in answer) if p is not None]
    return places[:MAX_PLACES]
