"""A resident withdraws their own story with the code they got on submitting it, no account.

The code is a bearer secret shown once; only its hash is stored on the consent record, and
a code is looked up by that hash only. An unknown code costs the same queries as a real one
before it is refused, so that timing tells nothing. Withdrawing runs the one cascade of
:mod:`server.withdrawal`, then notes when the audio had left every bundle and the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from media.blobs import BlobStore
from server import withdrawal
from server.auth.tokens import token_hash
from server.db.models import ConsentRecord, Organisation, Story, Trail
from server.db.session import Database
from server.placements import first_title
from trails.bundle.signing import Keyring
from trails.errors import NotFound
from trails.messages import msg

_UNKNOWN = msg("no story with this withdrawal code; check that the whole link was copied")


def withdrawal_url(base_url: str, code: str) -> str:
    """The page that withdraws a story; the code rides in the fragment, never sent to us."""
    return f"{base_url.rstrip('/')}/contribute/withdraw#{code}"


def trail_url(base_url: str, trail: Trail) -> str:
    """Where visitors play a published trail."""
    return f"{base_url.rstrip('/')}/play/{trail.address or trail.slug}"


def trail_title(trail: Trail) -> str:
    """A trail's title in its first language that has one."""
    return first_title(trail.titles, trail.languages) or trail.slug


@dataclass(frozen=True)
class Published:
    """A trail whose live release plays the story."""

    trail_title: str
    trail_url: str


@dataclass
class Standing:
    """Where a resident's story stands."""

    consent_id: int
    organisation: str
    title: str
    submitted_at: datetime
    state: str
    published_in: list[Published] = field(default_factory=list)
    withdrawn_at: datetime | None = None
    removed_at: datetime | None = None


def _standing(session: Session, base_url: str, code: str) -> Standing:
    """The story a code names, or 404 after the same queries as for a real code."""
    consent = session.scalar(
        select(ConsentRecord).where(ConsentRecord.withdrawal_hash == token_hash(code))
    )
    # An unknown code still runs every query below (on ids that match nothing).
    story_id = consent.story_id if consent is not None else None
    story = session.get(Story, story_id if story_id is not None else 0)
    organisation = session.get(Organisation, consent.organisation_id if consent else 0)
    live = withdrawal.live_trails_with(session, story) if story is not None else []
    kept_title = withdrawal.withdrawn_title(session, consent.id if consent else 0)
    if consent is None or organisation is None:
        raise NotFound(_UNKNOWN)
    if consent.withdrawn_at is not None:
        state = "withdrawn"
    elif story is not None:
        state = story.status.value
    else:
        state = "rejected"  # the team deleted it
    return Standing(
        consent_id=consent.id,
        organisation=organisation.name,
        title=story.title if story is not None else kept_title or "",
        submitted_at=consent.created_at,
        state=state,
        published_in=[Published(trail_title(t), trail_url(base_url, t)) for t in live],
        withdrawn_at=consent.withdrawn_at,
        removed_at=consent.removed_at,
    )


def standing(database: Database, base_url: str, code: str) -> Standing:
    """Where the story a withdrawal code names stands (404 for any other code)."""
    with database.transaction() as session:
        return _standing(session, base_url, code)


def withdraw(
    database: Database, blobs: BlobStore, keyring: Keyring, base_url: str, code: str
) -> tuple[Standing, bool]:
    """Withdraw the story a code names; the standing after, and whether it was already.

    A second call does nothing, unless the first stopped half-way (``removed_at`` unset):
    then it finishes the cascade, as calling the cascade again always does.
    """
    before = standing(database, base_url, code)
    already = before.withdrawn_at is not None
    if already and before.removed_at is not None:
        return before, True
    # The cascade notes removed_at on the consent once the work is done.
    withdrawal.withdraw(database, blobs, keyring, before.consent_id, None)
    return standing(database, base_url, code), already
