"""The listener's orientation and where each sound is heard from (trigger-semantics.md 13-16).

Every value leaves here as a whole number (degrees, millimetres) or a gain rounded to 0.1 dB,
so the Python and JavaScript engines agree to the last digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from trails.geo import haversine_m
from trails.rules import Approach, SoundPlacement

# Section 13.1: fixes less accurate than this do not count for the course or the listener.
LISTENER_MAX_ACCURACY_MM = 30_000
# Section 13.1: the shortest chord (mm) that gives a new course.
COURSE_MIN_CHORD_MM = 10_000
# Section 13.2: how many compass readings the circular mean takes, and the agreement it needs.
COMPASS_WINDOW = 3
COMPASS_MIN_AGREEMENT = 0.5
# Section 15.2: the quietest gain of a sound object, in dB.
OBJECT_FLOOR_DB = -60.0


def _round_half_even(x: float) -> int:
    return round(x)


def _whole_degrees(angle_deg: float) -> int:
    return _round_half_even(angle_deg) % 360


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Initial great-circle bearing from point 1 to point 2, whole degrees in [0, 360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return _whole_degrees(math.degrees(math.atan2(y, x)))


def distance_mm(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Haversine distance in whole millimetres."""
    return round(haversine_m(lat1, lon1, lat2, lon2) * 1000)


def angle_between(a: float, b: float) -> float:
    """Signed difference a - b folded into [-180, 180)."""
    return ((a - b + 540) % 360) - 180


def approach_holds(rule: Approach | None, course: int | None) -> bool:
    """Section 16.1: no rule holds; a rule needs a course within its tolerance."""
    if rule is None:
        return True
    if course is None:
        return False
    return abs(angle_between(course, rule.bearing_deg)) <= rule.tolerance_deg


def object_gain_db(obj: SoundPlacement, d_mm: int) -> float:
    """Section 15.2: the distance law, clamped to [ref, radius], floored at -60 dB."""
    r, big_r = obj.ref_distance_m, obj.radius_m
    dc = min(max(d_mm / 1000, r), big_r)
    if obj.rolloff == "inverse":
        law = 20 * math.log10(r / dc)
    elif big_r == r:
        law = 0.0
    else:
        share = 1 - (dc - r) / (big_r - r)
        law = 20 * math.log10(share) if share > 0 else -math.inf
    return max(OBJECT_FLOOR_DB, obj.gain_db + law)


@dataclass
class Listener:
    """Where the visitor is and which way they face, updated fix by fix (section 13)."""

    lat: float | None = None
    lon: float | None = None
    course: int | None = None
    heading: int | None = None
    anchor: tuple[float, float] | None = None
    readings: list[float] = field(default_factory=list)

    def update(self, lat: float, lon: float, accuracy_mm: int, heading_deg: float | None) -> None:
        """Take one accepted fix: course from a long enough chord, heading from the compass."""
        if accuracy_mm <= LISTENER_MAX_ACCURACY_MM:
            self.lat, self.lon = lat, lon
            if self.anchor is None:
                self.anchor = (lat, lon)
            else:
                alat, alon = self.anchor
                if distance_mm(alat, alon, lat, lon) >= max(COURSE_MIN_CHORD_MM, accuracy_mm):
                    self.course = bearing_deg(alat, alon, lat, lon)
                    self.anchor = (lat, lon)
        if heading_deg is None:
            # A compass that stops reporting is not trusted from memory (13.2).
            self.readings.clear()
            self.heading = None
            return
        self.readings = [*self.readings, heading_deg][-COMPASS_WINDOW:]
        s = sum(math.sin(math.radians(h)) for h in self.readings)
        c = sum(math.cos(math.radians(h)) for h in self.readings)
        if math.sqrt(s * s + c * c) / len(self.readings) >= COMPASS_MIN_AGREEMENT:
            self.heading = _whole_degrees(math.degrees(math.atan2(s, c)))

    @property
    def orientation(self) -> int | None:
        """Section 13.3: the compass heading, else the course, else none."""
        return self.heading if self.heading is not None else self.course

    def locate(self, position: tuple[float, float]) -> tuple[int, int | None] | None:
        """Distance (mm) and azimuth (or None without orientation) of a position, if located."""
        if self.lat is None or self.lon is None:
            return None
        lon, lat = position
        d_mm = distance_mm(self.lat, self.lon, lat, lon)
        o = self.orientation
        if o is None:
            return d_mm, None
        b = bearing_deg(self.lat, self.lon, lat, lon) if d_mm > 0 else 0
        return d_mm, int(angle_between(b, o))
