"""Publishing refuses a story without consent to publication, naming the stop."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.db.models import ConsentRecord, Release, Stop, Story, StoryStatus
from server.db.session import Database
from tests.api.test_releases import draft, releases_url
from tests.support.people import People
from tests.support.problems import problem


def _place_story(db: Database, trail_id: int, contributor_id: int, *, status: StoryStatus) -> int:
    with db.transaction() as session:
        stop = session.scalar(select(Stop).where(Stop.trail_id == trail_id))
        assert stop is not None
        story = Story(
            organisation_id=stop.trail.organisation_id,
            title="Souvenirs de la filature",
            status=status,
            submitted_by_id=contributor_id,
        )
        session.add(story)
        session.flush()
        stop.story_id = story.id
        return story.id


def test_contribution_without_publication_consent_is_not_published(
    client: TestClient, people: People, db: Database
) -> None:
    trail_id = draft(db, "filature")
    story_id = _place_story(db, trail_id, people.ids["contributor"], status=StoryStatus.approved)
    body = problem(client.post(releases_url(trail_id), json={}, headers=people["editor"]), 409)
    named = [e for e in body["errors"] if e["field"] == "stops.depart.story"]
    assert named and "no consent to publication" in named[0]["message"]
    assert named[0]["value"]["story_id"] == story_id

    with db.transaction() as session:
        session.add(
            ConsentRecord(
                story_id=story_id,
                organisation_id=session.get_one(Story, story_id).organisation_id,
                person="Mme Dupont",
                publication=True,
                archive=True,
                given_on=datetime.now(UTC),
            )
        )
    assert client.post(releases_url(trail_id), json={}, headers=people["editor"]).status_code == 201
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Release)) == 1
