"""Sound objects of a draft trail, edited one by one (editors' API)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.db.models import Asset, SoundObject, Trail
from server.schemas.objects import SoundObjectCreate, SoundObjectDraft, SoundObjectUpdate
from server.source_import import set_object
from trails.errors import Conflict, NotFound, invalid
from trails.messages import msg
from trails.validation import parse


def object_in(trail: Trail, object_id: int) -> SoundObject:
    """The trail's sound object with this id, or :class:`NotFound`."""
    for row in trail.objects:
        if row.id == object_id:
            return row
    raise NotFound(msg("no such sound object in this trail"))


def _check_key_free(trail: Trail, key: str, row: SoundObject | None = None) -> None:
    # Stops, ambience and objects share one set of keys (the source format's rule).
    taken = {s.key for s in trail.stops} | {a.key for a in trail.ambience}
    taken |= {o.key for o in trail.objects if o is not row}
    if key in taken:
        raise Conflict(
            msg("this trail already has a stop, ambience or sound object '{key}'", key=key)
        )


def _asset(session: Session, trail: Trail, asset_id: int) -> Asset:
    asset = session.get(Asset, asset_id)
    if asset is None or asset.organisation_id != trail.organisation_id:
        raise invalid("asset_id", asset_id, msg("no such audio in this organisation"))
    return asset


def _store(session: Session, trail: Trail, row: SoundObject, body: SoundObjectCreate) -> None:
    set_object(row, body, _asset(session, trail, body.asset_id))


def add_object(session: Session, trail: Trail, body: SoundObjectCreate) -> SoundObject:
    """Add a sound object after the others."""
    _check_key_free(trail, body.key)
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
        _check_key_free(trail, checked.key, row)
    _store(session, trail, row, checked)
    session.flush()


def remove_object(session: Session, trail: Trail, row: SoundObject) -> None:
    """Delete a sound object (its audio stays in the library)."""
    trail.objects.remove(row)
    session.flush()
