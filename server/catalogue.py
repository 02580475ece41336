"""The public catalogue: published trails, near a place, inside a box, by language or words.

Only public trails are listed. An unlisted trail opens by its address (a link or QR code);
a private one also needs its access code, and without the right code it reads exactly as
a trail that does not exist, so that nobody learns it is there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from server.auth.codes import GivenCode
from server.db.models import Release, Trail
from server.db.spatial import Spatial
from server.schemas.trails import PointGeometry, TrailPublic, cover_url
from server.search import FTS5_TABLE, fts5_query, indexed_text, tsquery, words
from trails.errors import NotFound
from trails.geo import BBox, bbox_around
from trails.messages import msg
from trails.vocabulary import Visibility

MAX_RADIUS_M = 200_000.0

# The SQLite FTS5 index of ``releases.search_text`` (migration 0012); its rank is bm25.
_FTS5 = table(FTS5_TABLE, column("rowid"), column("rank"))
# A literal, not a parameter: PostgreSQL uses the GIN index only for the very expression
# it indexes, ``to_tsvector('simple'::regconfig, search_text)``. "simple": no stemming and
# no stop words, the same for every language; the text is folded already.
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


def catalogue_columns(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The release columns a listing reads, taken from its public manifest at publish time.

    A member the manifest lacks leaves its column empty rather than failing: migration 0013
    fills these columns from every stored release, whatever its manifest holds.
    """
    bbox = manifest.get("bbox")
    return {
        "title": manifest.get("title"),
        "description": manifest.get("description"),
        "languages": manifest.get("languages"),
        "mode": manifest.get("mode"),
        "length_m": manifest.get("length_m"),
        "stop_count": len(manifest.get("stops", [])),
        "bbox": list(bbox) if bbox is not None else None,
        "cover": manifest.get("cover"),
        "search_text": indexed_text(manifest),
    }


def _live(now: datetime) -> Any:
    # Upcoming trails are listed (a festival advertises ahead); expired ones are not.
    return or_(Release.valid_until.is_(None), Release.valid_until > now)


def _published() -> Select[Any]:
    return select(Release).join(Trail, Trail.current_release_id == Release.id)


@cache
def _listed() -> Select[Any]:
    """Only the columns a listing returns: never the manifest.

    Built once: statements are immutable, and building this one costs more than the query.
    """
    columns: list[Any] = [
        Trail.address,
        Release.title,
        Release.description,
        Release.languages,
        Release.mode,
        Release.visibility,
        Release.number,
        Release.created_at,
        Release.valid_from,
        Release.valid_until,
        func.ST_X(Release.start_point).label("lon"),
        func.ST_Y(Release.start_point).label("lat"),
        Release.bbox,
        Release.length_m,
        Release.stop_count,
        Release.cover,
    ]
    return select(*columns).join(Trail, Trail.current_release_id == Release.id)


def _offers(language: str) -> Any:
    # The language list as JSON text reads the same on both backends: '"fr"' or '"fr-BE"'.
    languages = sql_cast(Release.languages, String)
    return or_(
        languages.contains(f'"{language}"', autoescape=True),
        languages.contains(f'"{language}-', autoescape=True),
    )


def _matching(query: Select[Any], sqlite: bool, found: list[str]) -> tuple[Select[Any], Any]:
    """``query`` kept to releases holding every word (as a prefix), and the best-first order."""
    if sqlite:
        query = query.join(_FTS5, _FTS5.c.rowid == Release.id).where(
            literal_column(FTS5_TABLE).op("MATCH")(fts5_query(found))
        )
        return query, _FTS5.c.rank  # bm25: lower is better
    vector = func.to_tsvector(_SIMPLE, Release.search_text)
    wanted = func.to_tsquery(_SIMPLE, tsquery(found))
    return query.where(vector.op("@@")(wanted)), func.ts_rank(vector, wanted).desc()


def _item(row: Any) -> TrailPublic:
    distance = getattr(row, "distance_m", None)
    return TrailPublic(
        slug=row.address,
        title=row.title,
        description=row.description,
        languages=row.languages,
        mode=row.mode,
        visibility=row.visibility.value,
        release=row.number,
        published_at=row.created_at,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        start=PointGeometry(coordinates=(row.lon, row.lat)),
        bbox=tuple(row.bbox),
        length_m=row.length_m,
        stop_count=row.stop_count,
        cover=cover_url(row.cover),
        distance_m=None if distance is None else round(float(distance), 1),
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
) -> list[TrailPublic]:
    """Public, unexpired current releases; near a (lat, lon) sorted by distance, or in a box.

    ``language`` keeps trails offering it (``fr`` also matches ``fr-BE``); ``text`` keeps
    trails whose title, description or stop titles hold every word of it as the start of a
    word, ignoring case and accents, best match first unless sorted by distance. Text
    without a letter or digit finds nothing.
    """
    now = now or datetime.now(UTC)
    sqlite = session.get_bind().dialect.name == "sqlite"
    spatial = Spatial(session.get_bind().dialect.name)
    releases = Release.__table__
    query = _listed().where(Release.visibility == Visibility.public, _live(now))
    if bbox is not None:
        query = query.where(spatial.intersects_box(releases, "extent", bbox))  # type: ignore[arg-type]
    if language is not None:
        query = query.where(_offers(language))
    order: list[Any] = []
    if text is not None:
        found = words(text)
        if not found:
            return []
        query, best = _matching(query, sqlite, found)
        order.append(best)
    if near is not None:
        lat, lon = near
        radius = radius_m if radius_m is not None else MAX_RADIUS_M
        distance = spatial.distance_m(Release.start_point, spatial.point(lon, lat))
        labelled = distance.label("distance_m")
        query = (
            query.add_columns(labelled)
            .where(spatial.in_box(releases, "start_point", bbox_around(lat, lon, radius)))  # type: ignore[arg-type]
            .where(distance <= radius)
        )
        order = [labelled]  # near sorts by distance, even when words are given
    query = query.order_by(*order, Trail.address).limit(limit).offset(offset)
    # Core execution on the session's connection: the rows are plain columns, and the ORM's
    # per-statement work would cost more than the query itself.
    return [_item(row) for row in session.connection().execute(query)]


def _not_found(slug: str) -> NotFound:
    # The same words for a trail that does not exist and a private one without its code.
    return NotFound(
        msg("no published trail '{slug}' (a private trail needs its access code)", slug=slug)
    )


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
