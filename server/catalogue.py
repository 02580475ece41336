"""The public catalogue: published trails, near a place or inside a box."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from server.db.models import Release, Trail, Visibility
from server.db.spatial import Spatial
from trails.errors import NotFound
from trails.geo import BBox, bbox_around

MAX_RADIUS_M = 200_000.0


@dataclass(frozen=True)
class Listed:
    """A published trail as the catalogue shows it."""

    release: Release
    distance_m: float | None


def _live(now: datetime) -> Any:
    # Upcoming trails are listed (a festival advertises ahead); expired ones are not.
    return or_(Release.valid_until.is_(None), Release.valid_until > now)


def _published() -> Select[Any]:
    return select(Release).join(Trail, Trail.current_release_id == Release.id)


def list_published(
    session: Session,
    *,
    near: tuple[float, float] | None = None,
    radius_m: float | None = None,
    bbox: BBox | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> list[Listed]:
    """Public, unexpired current releases; near a (lat, lon) sorted by distance, or in a box."""
    now = now or datetime.now(UTC)
    spatial = Spatial(session.get_bind().dialect.name)
    table = Release.__table__
    query = _published().where(Release.visibility == Visibility.public, _live(now))
    if bbox is not None:
        query = query.where(spatial.intersects_box(table, "extent", bbox))  # type: ignore[arg-type]
    if near is None:
        rows = session.scalars(query.order_by(Trail.slug).limit(limit).offset(offset))
        return [Listed(release, None) for release in rows]
    lat, lon = near
    radius = radius_m if radius_m is not None else MAX_RADIUS_M
    point = spatial.point(lon, lat)
    distance = spatial.distance_m(Release.start_point, point).label("distance_m")
    query = (
        query.add_columns(distance)
        .where(spatial.in_box(table, "start_point", bbox_around(lat, lon, radius)))  # type: ignore[arg-type]
        .where(distance <= radius)
        .order_by(distance, Trail.slug)
        .limit(limit)
        .offset(offset)
    )
    found = cast(list[tuple[Release, float]], session.execute(query).all())
    return [Listed(release, float(d)) for release, d in found]


def published_by_slug(session: Session, slug: str) -> Release:
    """The current release of a public or unlisted trail, or :class:`NotFound`."""
    release = session.scalar(
        _published().where(
            Trail.slug == slug,
            Release.visibility.in_([Visibility.public, Visibility.unlisted]),
        )
    )
    if release is None:
        raise NotFound(f"no published trail '{slug}'")
    return release
