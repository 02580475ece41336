"""What a draft's stops, ambience layers and sound objects share: one set of keys, the audio."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.db.models import AmbientLayer, Asset, SoundObject, Trail
from trails.errors import Conflict, invalid
from trails.messages import msg


def check_key_free(trail: Trail, key: str, row: AmbientLayer | SoundObject | None = None) -> None:
    """Refuse a key another stop, layer or object of the trail has (the source format's rule)."""
    taken = {s.key for s in trail.stops}
    taken |= {a.key for a in trail.ambience if a is not row}
    taken |= {o.key for o in trail.objects if o is not row}
    if key in taken:
        raise Conflict(
            msg("this trail already has a stop, ambience or sound object '{key}'", key=key)
        )


def asset_of(session: Session, trail: Trail, asset_id: int) -> Asset:
    """The organisation's asset with this id, or a field error on ``asset_id``."""
    asset = session.get(Asset, asset_id)
    if asset is None or asset.organisation_id != trail.organisation_id:
        raise invalid("asset_id", asset_id, msg("no such audio in this organisation"))
    return asset
