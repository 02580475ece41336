"""The public catalogue: published trails, near a place, inside a box, by language or words.

Only public trails are listed. An unlisted trail opens by its address (a link or QR code);
a private one also needs its access code, and without the right code it reads exactly as
a trail that does not exist, so that nobody learns it is there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from server.auth.codes import GivenCode
from server.catalogue_listing import Search, listed
from server.db.models import Release, Trail
from server.schemas.trails import TrailPublic
from server.search import indexed_text
from trails.errors import NotFound
from trails.geo import BBox
from trails.messages import msg
from trails.vocabulary import Visibility


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


def _published() -> Select[Any]:
    return select(Release).join(Trail, Trail.current_release_id == Release.id)


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
    without a letter or digit finds nothing. The same listing as the API's
    (``server.catalogue_listing``), as models.
    """
    search = Search(near, radius_m, bbox, language, text, limit, offset)
    return [TrailPublic.model_validate(item) for item in listed(session.connection(), search, now)]


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
