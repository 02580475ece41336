// The listener's orientation and where each sound is heard from (semantics sections 13-16).
// A port of trails/triggers/spatial.py: every value leaves as whole degrees or millimetres, or
// a gain rounded to 0.1 dB, so both engines agree to the last digit.
import { roundHalfEven } from "./units.js";
import { haversineM } from "./zones.js";

// Section 13.1: fixes less accurate than this do not count for the course or the listener.
export const LISTENER_MAX_ACCURACY_MM = 30000;
// Section 13.1: the shortest chord (mm) that gives a new course.
export const COURSE_MIN_CHORD_MM = 10000;
// Section 13.2: how many compass readings the circular mean takes, and the agreement it needs.
export const COMPASS_WINDOW = 3;
export const COMPASS_MIN_AGREEMENT = 0.5;
// Section 15.2: the quietest gain of a sound object, in dB.
export const OBJECT_FLOOR_DB = -60;

const TO_RAD = Math.PI / 180;
const TO_DEG = 180 / Math.PI;

function mod(a, n) {
  return ((a % n) + n) % n;
}

function wholeDegrees(angleDeg) {
  return mod(roundHalfEven(angleDeg), 360);
}

/** Initial great-circle bearing from point 1 to point 2, whole degrees in [0, 360). */
export function wholeBearingDeg(lat1, lon1, lat2, lon2) {
  const p1 = lat1 * TO_RAD;
  const p2 = lat2 * TO_RAD;
  const dl = (lon2 - lon1) * TO_RAD;
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return wholeDegrees(Math.atan2(y, x) * TO_DEG);
}

/** Haversine distance in whole millimetres. */
export function distanceMm(lat1, lon1, lat2, lon2) {
  return roundHalfEven(haversineM(lat1, lon1, lat2, lon2) * 1000);
}

/** Signed difference a - b folded into [-180, 180). */
export function angleBetween(a, b) {
  return mod(a - b + 540, 360) - 180;
}

/** Section 16.1: no rule holds; a rule needs a course within its tolerance. */
export function approachHolds(rule, course) {
  if (rule === null || rule === undefined) return true;
  if (course === null) return false;
  return Math.abs(angleBetween(course, rule.bearing_deg)) <= rule.tolerance_deg;
}

/** Section 15.2: an object's distance law, clamped to [ref, radius], floored at -60 dB. */
export function objectGainDb(obj, dMm) {
  const r = obj.ref_distance_m;
  const bigR = obj.radius_m;
  const dc = Math.min(Math.max(dMm / 1000, r), bigR);
  let law;
  if (obj.rolloff === "inverse") law = 20 * Math.log10(r / dc);
  else if (bigR === r) law = 0;
  else {
    const share = 1 - (dc - r) / (bigR - r);
    law = share > 0 ? 20 * Math.log10(share) : -Infinity;
  }
  return Math.max(OBJECT_FLOOR_DB, obj.gain_db + law);
}

/** Where the visitor is and which way they face, updated fix by fix (section 13); plain data. */
export function newListener() {
  return { lat: null, lon: null, course: null, heading: null, anchor: null, readings: [] };
}

/** Take one accepted fix: course from a long enough chord, heading from the compass. */
export function updateListener(l, lat, lon, accuracyMm, headingDeg) {
  if (accuracyMm <= LISTENER_MAX_ACCURACY_MM) {
    l.lat = lat;
    l.lon = lon;
    if (l.anchor === null) l.anchor = [lat, lon];
    else {
      const [alat, alon] = l.anchor;
      if (distanceMm(alat, alon, lat, lon) >= Math.max(COURSE_MIN_CHORD_MM, accuracyMm)) {
        l.course = wholeBearingDeg(alat, alon, lat, lon);
        l.anchor = [lat, lon];
      }
    }
  }
  if (headingDeg === null || headingDeg === undefined) {
    // A compass that stops reporting is not trusted from memory (13.2).
    l.readings = [];
    l.heading = null;
    return;
  }
  l.readings = [...l.readings, headingDeg].slice(-COMPASS_WINDOW);
  let s = 0;
  let c = 0;
  for (const h of l.readings) {
    s += Math.sin(h * TO_RAD);
    c += Math.cos(h * TO_RAD);
  }
  if (Math.sqrt(s * s + c * c) / l.readings.length >= COMPASS_MIN_AGREEMENT) {
    l.heading = wholeDegrees(Math.atan2(s, c) * TO_DEG);
  }
}

/** Section 13.3: the compass heading, else the course, else null. */
export function orientation(l) {
  return l.heading !== null ? l.heading : l.course;
}

/** Distance (mm) and azimuth (null without orientation) of a [lon, lat], or null unlocated. */
export function locate(l, position) {
  if (l.lat === null) return null;
  const [lon, lat] = position;
  const dMm = distanceMm(l.lat, l.lon, lat, lon);
  const o = orientation(l);
  if (o === null) return [dMm, null];
  const b = dMm > 0 ? wholeBearingDeg(l.lat, l.lon, lat, lon) : 0;
  return [dMm, angleBetween(b, o)];
}
