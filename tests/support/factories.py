"""Small trails built in code for database and API tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server.db.session import Database
from server.trails_store import get_or_create_organisation, import_source, publish
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


def add_trail(db: Database, loaded: LoadedSource, *, published: bool = True) -> None:
    """Import a trail into the demo organisation, and publish it unless told not to."""
    with db.transaction() as session:
        org = get_or_create_organisation(session, "tests")
        trail = import_source(session, loaded, org, fingerprint=loaded.trail.slug)
        if published:
            publish(session, trail)
