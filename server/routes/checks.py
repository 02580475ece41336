"""Authoring checks of a draft trail, as `baladeur validate` prints them (editors)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from server import drafts
from server.deps import ContributorDep, SessionDep
from server.draft_checks import check_draft
from server.draft_source import to_source
from server.i18n import language_headers, request_language
from server.problems import ORG_PROBLEMS
from trails.checks import CheckItem
from trails.errors import InvalidInput
from trails.i18n import render
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}/checks", tags=["checks"])


class CheckOut(BaseModel):
    """One finding about the draft: how bad, which stop (key), a stable code and a sentence."""

    severity: Literal["error", "warning", "info"]
    stop: str | None
    code: str
    message: str


def _out(item: CheckItem, language: str) -> CheckOut:
    return CheckOut(**{**item.as_dict(), "message": render(item.message, language)})


@router.get("", response_model=list[CheckOut], responses=ORG_PROBLEMS)
def list_checks(
    trail_id: int,
    member: ContributorDep,
    session: SessionDep,
    request: Request,
    response: Response,
) -> list[CheckOut]:
    """What in the draft will sound wrong on the ground, most serious first.

    Messages are in the language of ``Accept-Language`` (English when none fits); codes are not.
    """
    language = request_language(request)
    response.headers.update(language_headers(language))
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    if not trail.stops:
        item = CheckItem("info", None, "no-stops", msg("No stops yet: add one on the map."))
        return [_out(item, language)]
    try:
        source = to_source(session, trail)
    except InvalidInput as exc:
        # A draft may be incomplete in ways the source format refuses; say so instead of failing.
        found = [
            CheckItem("error", None, "invalid-draft", f"{e.field}: {render(e.message, language)}")
            for e in exc.errors
        ] or [CheckItem("error", None, "invalid-draft", exc.detail)]
        return [_out(item, language) for item in found]
    return [_out(item, language) for item in check_draft(trail, source)]
