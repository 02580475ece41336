"""Public trail catalogue: no authentication, and never a visitor's position in the logs."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from server.auth.codes import MAX_LENGTH, GivenCode
from server.auth.ratelimit import client_address
from server.catalogue import published_by_slug
from server.catalogue_listing import Search, listed
from server.deps import AccessCodesDep, CodeLimiterDep, DatabaseDep, SessionDep
from server.schemas.problem import Problem
from server.schemas.trails import TrailDetail, TrailPage
from server.search import MAX_QUERY_LENGTH, MAX_QUERY_WORDS, words
from server.visitor_reads import visitor_read
from trails.errors import invalid
from trails.geo import BBox
from trails.messages import msg
from trails.validation import check_language, check_latitude, check_longitude

router = APIRouter(prefix="/v1/trails", tags=["trails"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Not found"},
    422: {"model": Problem, "description": "Invalid input"},
    429: {"model": Problem, "description": "Too many access-code attempts"},
}


async def access_code(
    request: Request,
    codes: AccessCodesDep,
    limiter: CodeLimiterDep,
    x_access_code: Annotated[
        str | None,
        Header(
            max_length=MAX_LENGTH, description="The access code of a private trail (or `code=`)."
        ),
    ] = None,
    code: Annotated[
        str | None,
        Query(
            max_length=MAX_LENGTH,
            description="The access code of a private trail, as a QR code's link carries it.",
        ),
    ] = None,
) -> GivenCode | None:
    """The access code a visitor gives for a private trail, from the header or the query."""
    value = x_access_code or code
    if not value:
        return None
    return GivenCode(value, client_address(request), codes, limiter)


AccessCodeDep = Annotated[GivenCode | None, Depends(access_code)]


def _parse_language(text: str) -> str:
    try:
        return check_language(text)
    except ValueError as exc:
        raise invalid("lang", text, str(exc)) from None


def _parse_near(text: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        lat, lon = (float(p) for p in parts)
        return check_latitude(lat), check_longitude(lon)
    except ValueError as exc:
        message = str(exc) if len(parts) == 2 else "near is lat,lon in degrees"
        if "could not convert" in message:
            message = "near is lat,lon in degrees"
        raise invalid("near", text, message) from None


# A page changes when a trail is published, withdrawn or expires: a client keeps its copy
# and asks again each time (If-None-Match), and only its own cache may keep one (a shared
# cache would keep the places people search around).
_PAGE_CACHING = "private, no-cache"


def _page_response(
    items: list[dict[str, Any]], limit: int, offset: int, if_none_match: str | None
) -> Response:
    """The page as ``TrailPage`` JSON with its ETag, or 304 when the client has it already."""
    body = json.dumps(
        {"items": items, "limit": limit, "offset": offset},
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    ).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": _PAGE_CACHING}
    if if_none_match is not None and _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    # RFC 9110 13.1.2: "*" or a list of tags, compared weakly (a W/ prefix is ignored).
    given = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in given or etag in given


@router.get(
    "",
    response_model=TrailPage,
    responses={
        304: {"description": "Not modified since the ETag given in If-None-Match"},
        **PROBLEMS,
    },
)
@visitor_read
def list_trails(
    database: DatabaseDep,
    near: Annotated[
        str | None,
        Query(
            description="A place to search around, 'lat,lon' (a place such as a town, "
            "not a visitor's position: phones sort by distance themselves).",
            examples=["50.405,4.395"],
        ),
    ] = None,
    radius_m: Annotated[float | None, Query(gt=0, le=200_000)] = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north")] = None,
    lang: Annotated[
        str | None,
        Query(
            description="Only trails offering this language (fr also finds fr-BE).", examples=["nl"]
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_QUERY_LENGTH,
            description="Words to find in the title, description or stop titles, each as the "
            "start of a word (case and accents ignored); best match first unless `near` "
            "sorts by distance.",
            examples=["moulin"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    if_none_match: Annotated[
        str | None, Header(description="The ETag of a page read before: 304 if unchanged.")
    ] = None,
) -> Response:
    """Public trails, optionally near a place (sorted by distance), inside a box, offering a
    language or matching words. Unlisted and private trails are never listed."""
    if radius_m is not None and near is None:
        raise invalid("radius_m", radius_m, msg("radius_m needs near=lat,lon"))
    if q is not None and len(words(q)) > MAX_QUERY_WORDS:
        raise invalid("q", q, msg("q holds at most {max} words", max=MAX_QUERY_WORDS))
    search = Search(
        near=_parse_near(near) if near else None,
        radius_m=radius_m,
        bbox=BBox.parse(bbox) if bbox else None,
        language=_parse_language(lang) if lang else None,
        text=q,
        limit=limit,
        offset=offset,
    )
    # One connection for one read, no ORM session: the listing is the API's busiest call,
    # and this function runs in one trip to the thread pool (bench/README.md, Catalogue).
    with database.engine.connect() as connection:
        items = listed(connection, search)
    return _page_response(items, limit, offset, if_none_match)


@router.get("/{slug}", response_model=TrailDetail, responses=PROBLEMS)
@visitor_read
def get_trail(slug: str, session: SessionDep, code: AccessCodeDep) -> TrailDetail:
    """One published trail: its description, stops and credits.

    A private trail needs its access code (``X-Access-Code`` or ``code=``); without the right
    one it answers 404 like a trail that does not exist.
    """
    return TrailDetail.from_release(published_by_slug(session, slug, code))
