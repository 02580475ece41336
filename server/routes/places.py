"""Places found by name for the studio's map, through the configured geocoder."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from server import geocoder
from server.deps import ContributorDep, SettingsDep
from server.problems import ORG_PROBLEMS
from server.schemas.problem import Problem
from trails.errors import invalid
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs/{org}/places", tags=["places"])


class PlacePublic(BaseModel):
    """A place found: a name to choose by, its point, and its extent when the geocoder gives one."""

    name: str
    lat: float
    lon: float
    bbox: list[float] | None = Field(description="[west, south, east, north], or null.")


class PlaceList(BaseModel):
    """The places found, best first."""

    places: list[PlacePublic]


@router.get(
    "",
    response_model=PlaceList,
    responses={
        **ORG_PROBLEMS,
        502: {"model": Problem, "description": "The geocoder is down or answered garbage"},
        504: {"model": Problem, "description": "The geocoder did not answer in time"},
    },
)
def search_places(
    member: ContributorDep,
    settings: SettingsDep,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=geocoder.MAX_QUERY_CHARS)],
    lang: Annotated[
        str | None, Query(max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
    ] = None,
) -> PlaceList:
    """Search places by name or address (404 when the server has no geocoder configured)."""
    if not q.strip():
        raise invalid("q", q, msg("type a name or an address to search for"))
    found = geocoder.search(settings, q.strip(), lang)
    # Searches say where a team works: no shared cache keeps them.
    response.headers["Cache-Control"] = "no-store"
    return PlaceList(places=[PlacePublic(**vars(p)) for p in found])
