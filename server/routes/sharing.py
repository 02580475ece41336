"""Sharing a trail (editors): QR codes of its public link and a printable A4 poster.

Plain ``def`` routes on purpose: rendering a poster takes a fraction of a second of CPU, so
FastAPI runs them in its thread pool instead of the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from server import drafts
from server.auth.codes import AccessCodes
from server.db.models import Trail
from server.deps import AccessCodesDep, EditorDep, PublicBaseDep, SessionDep
from server.draft_source import to_source
from server.problems import ORG_PROBLEMS
from server.publishing import address_taken
from server.sharing.content import poster_content_from_source
from server.sharing.poster import poster_pdf
from server.sharing.qr import qr_png, qr_svg
from trails.errors import Conflict, invalid
from trails.i18n import InterfaceLanguage
from trails.messages import msg
from trails.vocabulary import Visibility

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}", tags=["sharing"])

AccessCode = Annotated[
    str | None,
    Query(
        max_length=64,
        description="A private trail's access code, to put in the link so that the QR code "
        "opens it directly. The server keeps only a hash of the code, so it can add it only "
        "when you send it; without it, visitors type the code themselves.",
    ),
]
_NO_STORE = {"Cache-Control": "private, no-store"}


def trail_link(base_url: str, trail: Trail, access_code: str | None, codes: AccessCodes) -> str:
    """The trail's public link in the visitor player, with the access code if one is given."""
    link = f"{base_url.rstrip('/')}/play/{quote(trail.slug)}"
    if access_code is None:
        return link
    if trail.visibility != Visibility.private:
        raise invalid(
            "access_code",
            None,
            msg("this trail is {value}: it has no access code", value=trail.visibility.value),
        )
    if not codes.matches(trail.access_code_hash, access_code):
        raise invalid("access_code", None, msg("this is not the trail's access code"))
    return f"{link}?code={quote(access_code, safe='')}"


def _link(
    session: SessionDep,
    member: EditorDep,
    base: PublicBaseDep,
    codes: AccessCodes,
    trail_id: int,
    code: str | None,
) -> tuple[Trail, str]:
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    if trail.address is None and address_taken(session, trail.slug):
        # The link would open another organisation's published trail.
        raise Conflict(
            msg(
                "the address '{slug}' is used by another published trail: duplicate "
                "this trail under another address before sharing it",
                slug=trail.slug,
            )
        )
    return trail, trail_link(base, trail, code, codes)


class TrailLink(BaseModel):
    """The link the trail's QR codes and poster carry."""

    url: str = Field(examples=["https://baladeur.example/play/moulin-de-marchienne"])


@router.get("/link", response_model=TrailLink, responses=ORG_PROBLEMS)
def link(
    trail_id: int,
    member: EditorDep,
    session: SessionDep,
    base: PublicBaseDep,
    codes: AccessCodesDep,
    access_code: AccessCode = None,
) -> TrailLink:
    """The trail's link exactly as its QR codes and poster print it, to show or copy."""
    _, url = _link(session, member, base, codes, trail_id, access_code)
    return TrailLink(url=url)


SVG_RESPONSE: dict[int | str, dict[str, Any]] = {
    **ORG_PROBLEMS,
    200: {"content": {"image/svg+xml": {}}, "description": "An SVG QR code."},
}
PNG_RESPONSE: dict[int | str, dict[str, Any]] = {
    **ORG_PROBLEMS,
    200: {"content": {"image/png": {}}, "description": "A PNG QR code."},
}
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    **ORG_PROBLEMS,
    200: {"content": {"application/pdf": {}}, "description": "An A4 PDF poster."},
}


@router.get("/qr.svg", response_class=Response, responses=SVG_RESPONSE)
def qr_code_svg(
    trail_id: int,
    member: EditorDep,
    session: SessionDep,
    base: PublicBaseDep,
    codes: AccessCodesDep,
    access_code: AccessCode = None,
) -> Response:
    """A scalable QR code of the trail's link (``/play/{slug}``), for print or the web."""
    _, link = _link(session, member, base, codes, trail_id, access_code)
    return Response(qr_svg(link), media_type="image/svg+xml", headers=_NO_STORE)


@router.get("/qr.png", response_class=Response, responses=PNG_RESPONSE)
def qr_code_png(
    trail_id: int,
    member: EditorDep,
    session: SessionDep,
    base: PublicBaseDep,
    codes: AccessCodesDep,
    scale: Annotated[int, Query(ge=1, le=40, description="Pixels per QR module.")] = 10,
    access_code: AccessCode = None,
) -> Response:
    """A PNG QR code of the trail's link."""
    _, link = _link(session, member, base, codes, trail_id, access_code)
    return Response(qr_png(link, scale=scale), media_type="image/png", headers=_NO_STORE)


@router.get("/poster.pdf", response_class=Response, responses=PDF_RESPONSE)
def poster(
    trail_id: int,
    member: EditorDep,
    session: SessionDep,
    base: PublicBaseDep,
    codes: AccessCodesDep,
    lang: Annotated[InterfaceLanguage, Query(description="Language of the poster.")] = "fr",
    access_code: AccessCode = None,
) -> Response:
    """An A4 poster of the trail's draft: title, dates, description, route map and QR code."""
    trail, link = _link(session, member, base, codes, trail_id, access_code)
    if not trail.stops:
        raise Conflict(
            msg(
                "trail '{slug}' has no stops yet: add at least one before printing its poster",
                slug=trail.slug,
            )
        )
    source = to_source(session, trail)
    content = poster_content_from_source(source, link, lang, member.organisation.name)
    headers = {
        **_NO_STORE,
        "Content-Disposition": f'inline; filename="{trail.slug}-{lang}.pdf"',
    }
    return Response(poster_pdf(content), media_type="application/pdf", headers=headers)
