// Zone geometry (section 3): how far, in whole millimetres, a position lies outside a zone.
import { roundHalfEven } from "./units.js";

export const EARTH_RADIUS_M = 6371008.8;
const DEG = Math.PI / 180;

/** Great-circle distance in metres on the semantics' sphere. */
export function haversineM(lat1, lon1, lat2, lon2) {
  const p1 = lat1 * DEG;
  const p2 = lat2 * DEG;
  const dp = p2 - p1;
  const dl = (lon2 - lon1) * DEG;
  const a = Math.sin(dp / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing in degrees (0 = north, clockwise) from one position to another. */
export function bearingDeg(lat1, lon1, lat2, lon2) {
  const p1 = lat1 * DEG;
  const p2 = lat2 * DEG;
  const dl = (lon2 - lon1) * DEG;
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return ((Math.atan2(y, x) / DEG) + 360) % 360;
}

class CircleShape {
  constructor(zone) {
    [this.lon, this.lat] = zone.center;
    this.radiusMm = roundHalfEven(zone.radius_m * 1000);
  }

  outsideMm(lat, lon) {
    // The centre distance is rounded before the radius is subtracted, as the spec says.
    const dMm = roundHalfEven(haversineM(this.lat, this.lon, lat, lon) * 1000);
    return Math.max(0, dMm - this.radiusMm);
  }

  centre() {
    return [this.lat, this.lon];
  }
}

function segmentDistance(px, py, ax, ay, bx, by) {
  // The same formula as GEOS (the reference engine's geometry library) to agree to the mm.
  const dx = bx - ax;
  const dy = by - ay;
  if (dx === 0 && dy === 0) return Math.sqrt((px - ax) ** 2 + (py - ay) ** 2);
  const len2 = dx * dx + dy * dy;
  const r = ((px - ax) * dx + (py - ay) * dy) / len2;
  if (r <= 0) return Math.sqrt((px - ax) ** 2 + (py - ay) ** 2);
  if (r >= 1) return Math.sqrt((px - bx) ** 2 + (py - by) ** 2);
  const s = ((ay - py) * dx - (ax - px) * dy) / len2;
  return Math.abs(s) * Math.sqrt(len2);
}

function onSegment(px, py, ax, ay, bx, by) {
  const cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
  if (cross !== 0) return false;
  return (
    Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by)
  );
}

function ringContains(ring, px, py) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

class PolygonShape {
  constructor(zone) {
    [this.lon0, this.lat0] = zone.coordinates[0][0];
    this.kx = EARTH_RADIUS_M * DEG * Math.cos(this.lat0 * DEG);
    this.ky = EARTH_RADIUS_M * DEG;
    this.rings = zone.coordinates.map((ring) => ring.map(([lon, lat]) => this.project(lat, lon)));
    this.coordinates = zone.coordinates;
  }

  project(lat, lon) {
    return [(lon - this.lon0) * this.kx, (lat - this.lat0) * this.ky];
  }

  outsideMm(lat, lon) {
    const [px, py] = this.project(lat, lon);
    let best = Infinity;
    for (const ring of this.rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [ax, ay] = ring[i];
        const [bx, by] = ring[i + 1];
        if (onSegment(px, py, ax, ay, bx, by)) return 0; // the boundary is inside
        best = Math.min(best, segmentDistance(px, py, ax, ay, bx, by));
      }
    }
    const [outer, ...holes] = this.rings;
    if (ringContains(outer, px, py) && !holes.some((h) => ringContains(h, px, py))) return 0;
    return Math.max(0, roundHalfEven(best * 1000));
  }

  centre() {
    const ring = this.coordinates[0];
    const n = ring.length - 1 || 1;
    let lat = 0;
    let lon = 0;
    for (let i = 0; i < n; i++) {
      lon += ring[i][0];
      lat += ring[i][1];
    }
    return [lat / n, lon / n];
  }
}

/** The shape object for a zone: {type: "circle", center, radius_m} or {type: "polygon", coordinates}. */
export function makeShape(zone) {
  if (zone.type === "circle") return new CircleShape(zone);
  if (zone.type === "polygon") return new PolygonShape(zone);
  throw new TypeError(`unknown zone type '${zone.type}'`);
}
