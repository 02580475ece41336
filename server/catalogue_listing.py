"""The catalogue listing, compiled once: each combination of filters is one SQL statement.

A listing used to build its statement with SQLAlchemy on every request, let SQLAlchemy find
it in its cache, run it, and build a Pydantic model per trail: several times the cost of the
query itself (bench/README.md, Catalogue). Now each combination of filters (near, box,
language, words) is built once per database dialect, with bound parameters where a request's
values go, and compiled once; a request only sends its values with that SQL text and turns
the rows into the JSON items the API answers (``TrailPublic`` documents their shape, and a
test checks that they validate against it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Dialect

from server.db.models import Release, Trail
from server.db.spatial import Spatial
from server.schemas.trails import cover_url
from server.search import FTS5_TABLE, fts5_query, tsquery, words
from trails.geo import BBox, bbox_around
from trails.vocabulary import Visibility

MAX_RADIUS_M = 200_000.0

# The SQLite FTS5 index of ``releases.search_text`` (migration 0012); its rank is bm25.
_FTS5 = table(FTS5_TABLE, column("rowid"), column("rank"))
# A literal, not a parameter: PostgreSQL uses the GIN index only for the very expression
# it indexes, ``to_tsvector('simple'::regconfig, search_text)``. "simple": no stemming and
# no stop words, the same for every language; the text is folded already.
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


@dataclass(frozen=True)
class Search:
    """What a visitor asks the catalogue for; every filter is optional.

    ``near`` is (lat, lon), sorted by distance; ``language`` keeps trails offering it (``fr``
    also matches ``fr-BE``); ``text`` keeps trails holding every word of it as the start of a
    word, best match first unless sorted by distance.
    """

    near: tuple[float, float] | None = None
    radius_m: float | None = None
    bbox: BBox | None = None
    language: str | None = None
    text: str | None = None
    limit: int = 50
    offset: int = 0

    def shape(self) -> tuple[bool, bool, bool, bool]:
        """Which filters are given: one compiled statement per shape."""
        return (
            self.near is not None,
            self.bbox is not None,
            self.language is not None,
            self.text is not None,
        )

    def values(self, sqlite: bool, found: list[str], now: datetime) -> dict[str, Any]:
        """The values of the statement's parameters for this search."""
        out: dict[str, Any] = {"now": now, "limit": self.limit, "offset": self.offset}
        if self.near is not None:
            lat, lon = self.near
            radius = self.radius_m if self.radius_m is not None else MAX_RADIUS_M
            around = bbox_around(lat, lon, radius)
            out |= {"lat": lat, "lon": lon, "radius": radius}
            out |= dict(zip(_corners("near"), around.as_tuple(), strict=True))
        if self.bbox is not None:
            out |= dict(zip(_corners("box"), self.bbox.as_tuple(), strict=True))
        if self.language is not None:
            # The language list as JSON text reads the same on both backends: '"fr"' or
            # '"fr-BE"'. Tags hold no LIKE wildcard (checked), but escape them all the same.
            tag = self.language.replace("/", "//").replace("%", "/%").replace("_", "/_")
            out |= {"lang_exact": f'%"{tag}"%', "lang_prefix": f'%"{tag}-%'}
        if self.text is not None:
            out["words"] = fts5_query(found) if sqlite else tsquery(found)
        return out


def _corners(prefix: str) -> tuple[str, str, str, str]:
    return (f"{prefix}_west", f"{prefix}_south", f"{prefix}_east", f"{prefix}_north")


def _params(prefix: str) -> tuple[Any, Any, Any, Any]:
    west, south, east, north = _corners(prefix)
    return bindparam(west), bindparam(south), bindparam(east), bindparam(north)


# The columns a listing reads, in the order of the answer: never the manifest.
_COLUMNS: list[Any] = [
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


def statement(sqlite: bool, shape: tuple[bool, bool, bool, bool]) -> Select[Any]:
    """The listing of one shape, with a bound parameter wherever a search's values go."""
    near, in_box, language, text = shape
    spatial = Spatial("sqlite" if sqlite else "postgresql")
    releases = Release.__table__
    # Upcoming trails are listed (a festival advertises ahead); expired ones are not.
    query = (
        select(*_COLUMNS)
        .join(Trail, Trail.current_release_id == Release.id)
        .where(
            Release.visibility == Visibility.public,
            or_(Release.valid_until.is_(None), Release.valid_until > bindparam("now")),
        )
    )
    if in_box:
        query = query.where(spatial.intersects_box(releases, "extent", _params("box")))  # type: ignore[arg-type]
    if language:
        languages = sql_cast(Release.languages, String)
        query = query.where(
            or_(
                languages.like(bindparam("lang_exact"), escape="/"),
                languages.like(bindparam("lang_prefix"), escape="/"),
            )
        )
    order: list[Any] = []
    if text:
        if sqlite:
            query = query.join(_FTS5, _FTS5.c.rowid == Release.id).where(
                literal_column(FTS5_TABLE).op("MATCH")(bindparam("words", type_=String))
            )
            order.append(_FTS5.c.rank)  # bm25: lower is better
        else:
            vector = func.to_tsvector(_SIMPLE, Release.search_text)
            wanted = func.to_tsquery(_SIMPLE, bindparam("words", type_=String))
            query = query.where(vector.op("@@")(wanted))
            order.append(func.ts_rank(vector, wanted).desc())
    if near:
        place = spatial.point_at(bindparam("lon"), bindparam("lat"))
        distance = spatial.distance_m(Release.start_point, place)
        labelled = distance.label("distance_m")
        query = (
            query.add_columns(labelled)
            .where(spatial.in_box(releases, "start_point", _params("near")))  # type: ignore[arg-type]
            .where(distance <= bindparam("radius"))
        )
        order = [labelled]  # near sorts by distance, even when words are given
    return (
        query.order_by(*order, Trail.address).limit(bindparam("limit")).offset(bindparam("offset"))
    )


Reader = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Compiled:
    """One listing statement compiled for a dialect: its SQL text and how values are sent."""

    sql: str
    # The parameters' names in the order the driver takes them (SQLite's ``?``), or None
    # when the driver takes them by name (psycopg's ``%(name)s``).
    positions: tuple[str, ...] | None
    # Parameters whose value the statement itself holds (e.g. ``public``), ready to send.
    fixed: Mapping[str, Any]
    # How each of a search's values is turned into what the driver takes (None: as is).
    writers: Mapping[str, Reader]
    # The statement's column types, whose readers need the driver's type of each column.
    types: tuple[Any, ...]
    dialect: Dialect
    # How each column's value from the driver is read (JSON text, timestamps, ...); set by
    # the first answer, whose description names the driver's types.
    readers: list[tuple[Reader, ...]] = field(default_factory=list)

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """The driver's parameters for these values of the search."""
        sent = dict(self.fixed)
        for name, writer in self.writers.items():
            value = values[name]
            sent[name] = value if writer is None else writer(value)
        if self.positions is None:
            return sent
        return tuple(sent[name] for name in self.positions)

    def items(self, description: Any, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """The catalogue items of the statement's rows, as JSON-ready dicts."""
        if not self.readers:
            dialect = self.dialect
            self.readers.append(
                tuple(
                    t.dialect_impl(dialect).result_processor(dialect, d[1])
                    for t, d in zip(self.types, description, strict=True)
                )
            )
        readers = self.readers[0]
        return [
            _item([v if r is None else r(v) for r, v in zip(readers, row, strict=False)])
            for row in rows
        ]


@lru_cache(maxsize=64)
def compiled(dialect: Dialect, shape: tuple[bool, bool, bool, bool]) -> Compiled:
    """The statement of ``shape`` compiled for ``dialect``, once (the cache is per dialect
    object, i.e. per engine; a few dozen shapes at most)."""
    query = statement(dialect.name == "sqlite", shape)
    done = query.compile(dialect=dialect)
    fixed: dict[str, Any] = {}
    writers: dict[str, Reader] = {}
    for name, bind in done.binds.items():
        writer = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.required:
            writers[name] = writer
        else:
            value = bind.effective_value
            fixed[name] = value if writer is None else writer(value)
    types = tuple(c.type for c in query.selected_columns)
    positions = tuple(done.positiontup) if done.positiontup is not None else None
    return Compiled(done.string, positions, fixed, writers, types, dialect)


def _timestamp(value: datetime | None) -> str | None:
    # As Pydantic writes an aware UTC datetime: ISO 8601 with "Z".
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _item(row: list[Any]) -> dict[str, Any]:
    # The fields of ``TrailPublic``, in its order.
    distance = row[16] if len(row) > 16 else None
    return {
        "slug": row[0],
        "title": row[1],
        "description": row[2],
        "languages": row[3],
        "mode": row[4],
        "visibility": row[5].value,
        "release": row[6],
        "published_at": _timestamp(row[7]),
        "valid_from": _timestamp(row[8]),
        "valid_until": _timestamp(row[9]),
        "start": {"type": "Point", "coordinates": [row[10], row[11]]},
        "bbox": row[12],
        "length_m": row[13],
        "stop_count": row[14],
        "cover": cover_url(row[15]),
        "distance_m": None if distance is None else round(float(distance), 1),
    }


def listed(
    connection: Connection, search: Search, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The items of one page of the catalogue for ``search``, as JSON-ready dicts.

    Public, unexpired current releases only. Text without a letter or digit finds nothing.
    """
    found = words(search.text) if search.text is not None else []
    if search.text is not None and not found:
        return []
    dialect = connection.dialect
    prepared = compiled(dialect, search.shape())
    values = search.values(dialect.name == "sqlite", found, now or datetime.now(UTC))
    # The driver-level call: no statement to build, cache or compile; SQLAlchemy still maps
    # the driver's errors (a lost database, a number too large) as for any other query.
    result = connection.exec_driver_sql(prepared.sql, prepared.parameters(values))
    description = result.cursor.description
    return prepared.items(description, result.fetchall())
