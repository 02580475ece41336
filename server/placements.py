"""Where a story is placed: the stops that tell it, and whether their trail plays it live."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import withdrawal
from server.db.models import Stop, Story, Trail


def first_title(titles: dict[str, str] | None, languages: list[str] | None = None) -> str | None:
    """A title in the first language that has one (the trail's own order first)."""
    if not titles:
        return None
    for language in [*(languages or []), *titles]:
        if titles.get(language):
            return titles[language]
    return None


@dataclass(frozen=True)
class Placement:
    """A stop that tells the story; ``live``: its trail's live release already plays it."""

    trail_id: int
    trail_title: str
    stop_id: int
    stop_title: str
    live: bool


def placements_of(session: Session, story: Story) -> list[Placement]:
    """The stops of every draft that tell this story, by trail then position."""
    rows = session.execute(
        select(Stop, Trail)
        .join(Trail, Trail.id == Stop.trail_id)
        .where(Stop.story_id == story.id)
        .order_by(Trail.id, Stop.position)
    ).all()
    if not rows:
        return []
    live = {t.id for t in withdrawal.live_trails_with(session, story)}
    return [
        Placement(
            trail_id=trail.id,
            trail_title=first_title(trail.titles, trail.languages) or trail.slug,
            stop_id=stop.id,
            stop_title=first_title(stop.titles, trail.languages) or stop.key,
            live=trail.id in live,
        )
        for stop, trail in rows
    ]
