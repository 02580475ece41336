"""The public catalogue: published trails, near a place, inside a box, by language or words.

Only public trails are listed. An unlisted trail opens by its address (a link or QR code);
a private one also needs its access code, and without the right code it reads exactly as
a trail that does not exist, so that nobody learns it is there.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Select, String, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from server.auth.codes import GivenCode
from server.db.models import Release, Trail
from server.db.spatial import Spatial
from trails.errors import NotFound
from trails.geo import BBox, bbox_around
from trails.vocabulary import Visibility

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


def folded(text: str) -> str:
    """Text for matching: case folded and without accents ("Théâtre" matches "theatre")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _matches(release: Release, words: list[str]) -> bool:
    manifest = release.manifest
    texts = [*manifest.get("title", {}).values(), *manifest.get("description", {}).values()]
    haystack = folded(" ".join(texts))
    return all(word in haystack for word in words)


def _offers(language: str) -> Any:
    # The language list as JSON text reads the same on both backends: '"fr"' or '"fr-BE"'.
    languages = sql_cast(Release.manifest["languages"], String)
    return or_(
        languages.contains(f'"{language}"', autoescape=True),
        languages.contains(f'"{language}-', autoescape=True),
    )


def list_published(
    session: Session,
    *,
    near: tuple[float, float] | None = None,
    radius_m: float | None = None,
    bbox: BBox | None = None,
    language: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> list[Listed]:
    """Public, unexpired current releases; near a (lat, lon) sorted by distance, or in a box.

    ``language`` keeps trails offering it (``fr`` also matches ``fr-BE``); ``text`` keeps
    trails whose title or description holds every word of it, ignoring case and accents.
    """
    now = now or datetime.now(UTC)
    spatial = Spatial(session.get_bind().dialect.name)
    table = Release.__table__
    query = _published().where(Release.visibility == Visibility.public, _live(now))
    if bbox is not None:
        query = query.where(spatial.intersects_box(table, "extent", bbox))  # type: ignore[arg-type]
    if language is not None:
        query = query.where(_offers(language))
    distance = None
    if near is None:
        query = query.order_by(Trail.slug)
    else:
        lat, lon = near
        radius = radius_m if radius_m is not None else MAX_RADIUS_M
        point = spatial.point(lon, lat)
        distance = spatial.distance_m(Release.start_point, point).label("distance_m")
        query = (
            query.add_columns(distance)
            .where(spatial.in_box(table, "start_point", bbox_around(lat, lon, radius)))  # type: ignore[arg-type]
            .where(distance <= radius)
            .order_by(distance, Trail.slug)
        )
    words = folded(text).split() if text else []
    if not words:
        query = query.limit(limit).offset(offset)
    # Words are matched here rather than in SQL: SQLite's lower() knows only ASCII, and
    # accents should not matter. The public catalogue is small enough to scan.
    if distance is None:
        found = [Listed(r, None) for r in session.scalars(query)]
    else:
        rows = cast(list[tuple[Release, float]], session.execute(query).all())
        found = [Listed(r, float(d)) for r, d in rows]
    if words:
        found = [item for item in found if _matches(item.release, words)][offset : offset + limit]
    return found


def _not_found(slug: str) -> NotFound:
    # The same words for a trail that does not exist and a private one without its code.
    return NotFound(f"no published trail '{slug}' (a private trail needs its access code)")


def published_by_slug(session: Session, slug: str, access_code: GivenCode | None = None) -> Release:
    """The current release of a public or unlisted trail, or of a private one given its code.

    Anything else is :class:`NotFound`, worded the same whether the trail exists or not; a
    code costs the same to check either way, and attempts are limited per trail and address.
    """
    row = session.execute(
        _published().add_columns(Trail.access_code_hash).where(Trail.address == slug)
    ).first()
    if row is None:
        if access_code is not None:
            access_code.opens(slug, None)  # the same work and limits as a real check
        raise _not_found(slug)
    release, code_hash = cast(Release, row[0]), cast(str | None, row[1])
    if release.visibility != Visibility.private:
        return release
    if access_code is not None and access_code.opens(slug, code_hash):
        if access_code.codes.is_legacy(code_hash):
            # An argon2 hash from before keyed hashes: re-store it now that the code is known.
            # A Core update, so that editors' ETags (the row's version) do not change.
            session.execute(
                update(Trail)
                .where(Trail.id == release.trail_id)
                .values(access_code_hash=access_code.codes.hash(access_code.value))
            )
        return release
    raise _not_found(slug)
