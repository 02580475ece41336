"""Ambience layers of a draft trail, edited one by one (editors' API)."""

from __future__ import annotations

from geoalchemy2.shape import to_shape
from sqlalchemy.orm import Session

from server.db.models import AmbientLayer, Stop, Trail
from server.db.zones import zone_of
from server.draft_items import asset_of, check_key_free
from server.schemas.ambience import AmbienceCreate, AmbienceDraft, AmbienceUpdate, WholeTrail
from server.source_import import set_layer
from trails.errors import NotFound, invalid
from trails.messages import msg
from trails.source import CircleZone, PolygonZone, Zone
from trails.validation import MAX_RADIUS_M, parse
from trails.zones import covering_circle

# How far beyond the outermost stop a whole-trail layer reaches, so that a visitor at a
# stop's edge still hears it at full gain.
WHOLE_TRAIL_MARGIN_M = 30.0


def layer_in(trail: Trail, layer_id: int) -> AmbientLayer:
    """The trail's ambience layer with this id, or :class:`NotFound`."""
    for row in trail.ambience:
        if row.id == layer_id:
            return row
    raise NotFound(msg("no such ambience layer in this trail"))


def _stored_zone(row: Stop) -> CircleZone | PolygonZone:
    data = zone_of(row)
    return CircleZone(**data) if data["type"] == "circle" else PolygonZone(**data)


def whole_trail_zone(trail: Trail) -> CircleZone:
    """The circle around the trail's stops and route, or a field error on ``zone``."""
    zones = [_stored_zone(s) for s in trail.stops]
    route = [(x, y) for x, y, *_ in to_shape(trail.route).coords] if trail.route is not None else []
    if not zones:
        raise invalid(
            "zone",
            "trail",
            msg("add the trail's stops first: the whole trail is drawn around them"),
        )
    centre, radius = covering_circle(zones, route, WHOLE_TRAIL_MARGIN_M)
    if radius > MAX_RADIUS_M:
        raise invalid(
            "zone",
            "trail",
            msg(
                "the trail is too wide for one circle ({radius} m): draw the layer's area",
                radius=radius,
            ),
        )
    return CircleZone(type="circle", center=centre, radius_m=radius)


def _store(session: Session, trail: Trail, row: AmbientLayer, body: AmbienceCreate) -> None:
    zone: Zone = whole_trail_zone(trail) if isinstance(body.zone, WholeTrail) else body.zone
    set_layer(row, body, zone, asset_of(session, trail, body.asset_id))


def add_layer(session: Session, trail: Trail, body: AmbienceCreate) -> AmbientLayer:
    """Add an ambience layer."""
    check_key_free(trail, body.key)
    row = AmbientLayer()
    _store(session, trail, row, body)
    trail.ambience.append(row)
    session.flush()
    return row


def update_layer(session: Session, trail: Trail, row: AmbientLayer, body: AmbienceUpdate) -> None:
    """Apply the fields the caller sent, checking the layer as changed whole."""
    merged = AmbienceDraft.of(row).as_create() | body.model_dump(exclude_unset=True)
    checked = parse(AmbienceCreate, merged)
    if checked.key != row.key:
        check_key_free(trail, checked.key, row)
    _store(session, trail, row, checked)
    session.flush()


def remove_layer(session: Session, trail: Trail, row: AmbientLayer) -> None:
    """Delete an ambience layer (its audio stays in the library)."""
    trail.ambience.remove(row)
    session.flush()
