"""Sound objects of a draft trail, edited one by one (editors' API)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.db.models import SoundObject, Trail
from server.draft_items import asset_of, check_key_free
from server.schemas.objects import SoundObjectCreate, SoundObjectDraft, SoundObjectUpdate
from server.source_import import set_object
from trails.errors import NotFound
from trails.messages import msg
from trails.validation import parse


def object_in(trail: Trail, object_id: int) -> SoundObject:
    """The trail's sound object with this id, or :class:`NotFound`."""
    for row in trail.objects:
        if row.id == object_id:
            return row
    raise NotFound(msg("no such sound object in this trail"))


def _store(session: Session, trail: Trail, row: SoundObject, body: SoundObjectCreate) -> None:
    set_object(row, body, asset_of(session, trail, body.asset_id))


def add_object(session: Session, trail: Trail, body: SoundObjectCreate) -> SoundObject:
    """Add a sound object after the others."""
    check_key_free(trail, body.key)
    row = SoundObject(ordinal=max((o.ordinal for o in trail.objects), default=-1) + 1)
    _store(session, trail, row, body)
    trail.objects.append(row)
    session.flush()
    return row


def update_object(
    session: Session, trail: Trail, row: SoundObject, body: SoundObjectUpdate
) -> None:
    """Apply the fields the caller sent, checking the object as changed whole."""
    merged = SoundObjectDraft.of(row).as_create() | body.model_dump(exclude_unset=True)
    checked = parse(SoundObjectCreate, merged)
    if checked.key != row.key:
        check_key_free(trail, checked.key, row)
    _store(session, trail, row, checked)
    session.flush()


def remove_object(session: Session, trail: Trail, row: SoundObject) -> None:
    """Delete a sound object (its audio stays in the library)."""
    trail.objects.remove(row)
    session.flush()
