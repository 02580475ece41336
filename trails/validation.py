"""Validation rules shared by every entry point: coordinates, zones, languages, slugs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

import langcodes
from pydantic import AfterValidator, BaseModel, ValidationError
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from trails.errors import FieldError, InvalidInput
from trails.messages import msg, pydantic_message

MIN_RADIUS_M = 5.0
MAX_RADIUS_M = 5000.0
MAX_POLYGON_VERTICES = 500
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 80
# BCP 47 uses hyphens; langcodes alone would also accept "en_US".
LANGUAGE_SHAPE = r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$"
"""The shape of a language tag (registered subtags are checked beyond it), for schemas."""
_LANGUAGE_SHAPE = re.compile(LANGUAGE_SHAPE)


def check_latitude(value: float) -> float:
    """Return a latitude in degrees, or raise ``ValueError`` if out of range."""
    if not -90.0 <= value <= 90.0:
        raise ValueError(msg("latitude must be between -90 and 90, got {value}", value=value))
    return value


def check_longitude(value: float) -> float:
    """Return a longitude in degrees, or raise ``ValueError`` if out of range."""
    if not -180.0 <= value <= 180.0:
        raise ValueError(msg("longitude must be between -180 and 180, got {value}", value=value))
    return value


def check_position(value: Sequence[float]) -> tuple[float, float]:
    """Check a GeoJSON position ``[longitude, latitude]`` and return it as a tuple."""
    if len(value) != 2:
        raise ValueError(msg("a position is [longitude, latitude], got {value}", value=list(value)))
    lon, lat = float(value[0]), float(value[1])
    return check_longitude(lon), check_latitude(lat)


def check_radius(value: float) -> float:
    """Return a circle radius in metres, or raise ``ValueError`` outside 5 m to 5 km."""
    if not MIN_RADIUS_M <= value <= MAX_RADIUS_M:
        raise ValueError(
            msg(
                "radius must be between {min} m and {max} m, got {value} m",
                min=MIN_RADIUS_M,
                max=MAX_RADIUS_M,
                value=value,
            )
        )
    return value


def check_ring(ring: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
    """Check one closed polygon ring of GeoJSON positions."""
    positions = [check_position(p) for p in ring]
    if len(positions) < 4:
        raise ValueError(
            msg("a polygon ring needs at least 4 positions, got {count}", count=len(positions))
        )
    if positions[0] != positions[-1]:
        raise ValueError(
            msg("a polygon ring must be closed: the last position must repeat the first")
        )
    if len(positions) - 1 > MAX_POLYGON_VERTICES:
        raise ValueError(
            msg(
                "a polygon may have at most {max} vertices, got {count}",
                max=MAX_POLYGON_VERTICES,
                count=len(positions) - 1,
            )
        )
    return positions


# Sizes far beyond any walked trail, so that a hostile file is refused before work that
# grows with it (validation, YAML, geometry) rather than after minutes of it.
MAX_STOPS = 1_000
MAX_ROUTE_POSITIONS = 20_000
MAX_POLYGON_POSITIONS = 5_000


def check_polygon(rings: Sequence[Sequence[Sequence[float]]]) -> list[list[tuple[float, float]]]:
    """Check GeoJSON polygon coordinates (outer ring then holes) and return them."""
    if not rings:
        raise ValueError(msg("a polygon needs an outer ring"))
    if sum(len(r) for r in rings) > MAX_POLYGON_POSITIONS:
        raise ValueError(msg("a polygon has at most {max} positions", max=MAX_POLYGON_POSITIONS))
    checked = [check_ring(r) for r in rings]
    polygon = Polygon(checked[0], checked[1:])
    if not polygon.is_valid:
        raise ValueError(msg("the polygon is not valid: {why}", why=explain_validity(polygon)))
    return checked


def check_language(value: str) -> str:
    """Return a well-formed, registered BCP 47 language tag, or raise ``ValueError``."""
    if not _LANGUAGE_SHAPE.match(value) or not langcodes.tag_is_valid(value):
        raise ValueError(
            msg("'{value}' is not a known BCP 47 language tag (for example fr, nl-BE)", value=value)
        )
    return value


def check_slug(value: str) -> str:
    """Return a URL slug (lowercase letters, digits, single hyphens), or raise ``ValueError``."""
    if len(value) > SLUG_MAX_LENGTH:
        raise ValueError(
            msg(
                "a slug has at most {max} characters, got {count}",
                max=SLUG_MAX_LENGTH,
                count=len(value),
            )
        )
    if not SLUG_RE.match(value):
        raise ValueError(
            msg(
                "'{value}' is not a slug: use lowercase letters, digits and single hyphens, "
                "for example moulin-de-marchienne",
                value=value,
            )
        )
    return value


Latitude = Annotated[float, AfterValidator(check_latitude)]
Longitude = Annotated[float, AfterValidator(check_longitude)]
Position = Annotated[tuple[float, float], AfterValidator(check_position)]
Radius = Annotated[float, AfterValidator(check_radius)]
PolygonCoordinates = Annotated[list[list[tuple[float, float]]], AfterValidator(check_polygon)]
LanguageTag = Annotated[str, AfterValidator(check_language)]
Slug = Annotated[str, AfterValidator(check_slug)]

M = TypeVar("M", bound=BaseModel)


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Translate a pydantic error into field errors with dotted paths."""
    errors = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or "(root)"
        errors.append(FieldError(field, err.get("input"), pydantic_message(err)))
    return errors


def parse(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` as ``model``, raising :class:`InvalidInput` naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        if prefix:
            errors = [FieldError(f"{prefix}.{e.field}", e.value, e.message) for e in errors]
        raise InvalidInput(errors) from None
