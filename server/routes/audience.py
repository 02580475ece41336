"""A trail's audience figures: completed bundle downloads per day, as JSON or CSV (editors)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from server import drafts
from server.audience import MAX_DAYS, csv_text, daily_counts, day_range
from server.deps import EditorDep, SessionDep
from server.problems import ORG_PROBLEMS
from server.schemas.audience import AudienceFigures, DayCount

router = APIRouter(prefix="/v1/orgs/{org}/trails/{trail_id}", tags=["audience"])

FromDay = Annotated[
    date | None,
    Query(alias="from", description="First day (UTC, YYYY-MM-DD); by default 29 days before `to`."),
]
ToDay = Annotated[
    date | None, Query(alias="to", description="Last day, included (UTC); by default today.")
]
_RANGE = f"At most {MAX_DAYS} days at a time."


@router.get(
    "/audience",
    response_model=AudienceFigures,
    response_model_by_alias=True,
    responses=ORG_PROBLEMS,
    description="Completed downloads of the trail's bundles per UTC day, every day of the "
    f"range (0 when none). {_RANGE} Nothing about visitors is stored: see docs/studio.md.",
)
def audience(
    trail_id: int,
    member: EditorDep,
    session: SessionDep,
    start: FromDay = None,
    end: ToDay = None,
) -> AudienceFigures:
    """Completed bundle downloads per day."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    first, last = day_range(start, end)
    rows = daily_counts(session, trail.id, first, last)
    return AudienceFigures(
        trail_id=trail.id,
        first=first,
        last=last,
        total=sum(count for _day, count in rows),
        days=[DayCount(day=day, downloads=count) for day, count in rows],
    )


@router.get(
    "/audience.csv",
    response_class=Response,
    responses={**ORG_PROBLEMS, 200: {"content": {"text/csv": {}}, "description": "CSV"}},
    description=f"The same figures as CSV: a header `day,downloads`, one line per day. {_RANGE}",
)
def audience_csv(
    trail_id: int,
    member: EditorDep,
    session: SessionDep,
    start: FromDay = None,
    end: ToDay = None,
) -> Response:
    """Completed bundle downloads per day, as a CSV file."""
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    first, last = day_range(start, end)
    name = f"{trail.slug}-downloads-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        csv_text(daily_counts(session, trail.id, first, last)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
