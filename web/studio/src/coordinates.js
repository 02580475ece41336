// Reading a place typed or pasted by a mediator: decimal degrees (with a dot or a comma),
// degrees-minutes-seconds, a link copied from a map site, or a geo: URI (RFC 5870).
// Pure: no DOM, no network, so that node runs its tests (web/studio/test/).

/** Why a text gives no place; the studio says each in words (web/studio/messages, place_*). */
export const PLACE_ERRORS = Object.freeze(["empty", "unreadable", "noCoordinates", "latRange", "lonRange"]);

const DOT = String.raw`[-+]?\d+(?:\.\d+)?`;
const COMMA = String.raw`[-+]?\d+(?:,\d+)?`;
// "50.4115, 4.3912", "50.4115 4.3912", "50.4115;4.3912"
const DECIMAL = new RegExp(String.raw`^(${DOT})\s*(?:[,;]|\s)\s*(${DOT})$`);
// "50,4115; 4,3912", "50,4115 4,3912", "50,4115, 4,3912" (a comma then a space)
const DECIMAL_COMMA = new RegExp(String.raw`^(${COMMA})\s*(?:;|,\s|\s)\s*(${COMMA})$`);
// A pair inside a link: "50.41,4.39" (also with %2C, as links escape the comma).
const PAIR = new RegExp(String.raw`^\s*(${DOT})\s*(?:,|%2C)\s*(${DOT})`, "i");
// French and Spanish write West as O (ouest, oeste).
const HEMISPHERES = { N: 1, S: -1, E: 1, W: -1, O: -1 };

/** A place from text: ``{lat, lon, zoom}`` (zoom only from links that give one) or ``{error}``
 * with one of PLACE_ERRORS. Latitude comes first, as map sites and phones write it. */
export function parsePlace(text) {
  const s = String(text ?? "")
    .trim()
    .replace(/[\u2018\u2019\u2032\u00b4`]/g, "'")
    .replace(/[\u201c\u201d\u2033]|''/g, '"')
    .replace(/\u00ba/g, "°")
    .replace(/\u2212/g, "-");
  if (!s) return { error: "empty" };
  if (/^geo:/i.test(s)) return fromGeoUri(s);
  const url = asUrl(s);
  if (url) return fromLink(url);
  let m = DECIMAL.exec(s) || DECIMAL_COMMA.exec(s);
  if (m) return checked(num(m[1]), num(m[2]));
  if (/[°'"]|[NSEWO]/i.test(s)) return fromDms(s);
  return { error: "unreadable" };
}

const num = (text) => Number(String(text).replace(",", "."));

function checked(lat, lon, zoom) {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return { error: "unreadable" };
  if (Math.abs(lat) > 90) return { error: "latRange" };
  if (Math.abs(lon) > 180) return { error: "lonRange" };
  const place = { lat, lon };
  if (Number.isFinite(zoom) && zoom >= 0 && zoom <= 22) place.zoom = Math.round(zoom);
  return place;
}

/** geo:lat,lon[,alt][;crs=wgs84][;u=uncertainty] (RFC 5870); other reference systems are refused. */
function fromGeoUri(s) {
  const [coords, ...params] = s.slice(4).split(";");
  const crs = params.find((p) => /^crs=/i.test(p));
  if (crs && crs.slice(4).toLowerCase() !== "wgs84") return { error: "unreadable" };
  const parts = coords.split("?")[0].split(",");
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => new RegExp(`^${DOT}$`).test(p.trim()))) {
    return { error: parts.length < 2 ? "noCoordinates" : "unreadable" };
  }
  return checked(Number(parts[0]), Number(parts[1]));
}

/** The text as a URL when it is one (with or without its https://). */
function asUrl(s) {
  if (/\s/.test(s)) return null;
  const text = /^https?:\/\//i.test(s) ? s : /^(?:[\w-]+\.)+[a-z]{2,}\//i.test(s) ? `https://${s}` : null;
  if (!text) return null;
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function pairOf(value) {
  const m = value == null ? null : PAIR.exec(value);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Coordinates from a map site's link: OpenStreetMap, Google Maps, Apple Maps, Bing. */
function fromLink(url) {
  const q = url.searchParams;
  const zoomParam = Number(q.get("z") ?? q.get("zoom") ?? q.get("lvl") ?? NaN);
  // OpenStreetMap: a marker (?mlat=&mlon=) wins over the view (#map=zoom/lat/lon).
  if (q.has("mlat") && q.has("mlon")) {
    const view = /map=(\d+)\//.exec(url.hash);
    return checked(Number(q.get("mlat")), Number(q.get("mlon")), view ? Number(view[1]) : zoomParam);
  }
  const view = new RegExp(String.raw`map=(\d+(?:\.\d+)?)/(${DOT})/(${DOT})`).exec(url.hash + url.search);
  if (view) return checked(Number(view[2]), Number(view[3]), Number(view[1]));
  // Google's place links hold the place itself (!3d lat !4d lon) after the view (@lat,lon,zoom).
  const path = decodeURIComponent(url.pathname + url.hash);
  const pin = new RegExp(String.raw`!3d(${DOT})!4d(${DOT})`).exec(path);
  const at = new RegExp(String.raw`@(${DOT}),(${DOT})(?:,(\d+(?:\.\d+)?)z)?`).exec(path);
  if (pin) return checked(Number(pin[1]), Number(pin[2]), at?.[3] ? Number(at[3]) : zoomParam);
  if (at) return checked(Number(at[1]), Number(at[2]), at[3] ? Number(at[3]) : zoomParam);
  // Google ?q= and ?query=, Apple ?ll= and ?q=, ?daddr= for directions.
  for (const name of ["q", "query", "ll", "sll", "center", "daddr"]) {
    const pair = pairOf(q.get(name));
    if (pair) return checked(pair[0], pair[1], zoomParam);
  }
  // Bing: cp=lat~lon.
  const cp = new RegExp(String.raw`^(${DOT})~(${DOT})$`).exec(q.get("cp") ?? "");
  if (cp) return checked(Number(cp[1]), Number(cp[2]), zoomParam);
  return { error: "noCoordinates" };
}

/** Degrees, minutes and seconds, or degrees and decimal minutes, with N/S/E/W on either side:
 * 50°24'41.4"N 4°23'28.3"E, N 50° 24.690' E 004° 23.472', 50°24'41"N, 4°23'28"W. */
function fromDms(s) {
  const text = s.toUpperCase();
  let parts;
  if (/[NSEWO]/.test(text)) {
    // Letters before the numbers (N 50° ...) or after them (50° ... N).
    parts = /^[NSEWO]/.test(text) ? text.split(/(?=[NSEWO])/) : text.split(/(?<=[NSEWO])/);
  } else {
    // No letters: a new coordinate starts at each number marked with a degree sign.
    parts = text.split(/(?<![\d.,+-])(?=[-+]?\d+(?:[.,]\d+)?\s*°)/);
  }
  parts = parts.map((p) => p.replace(/^[\s,;]+|[\s,;]+$/g, "")).filter(Boolean);
  if (parts.length !== 2) return { error: "unreadable" };
  const [a, b] = parts.map(oneDms);
  if (!a || !b) return { error: "unreadable" };
  // Each coordinate says its axis with its letter; without letters, latitude comes first.
  const axisA = a.axis ?? (b.axis === "lat" ? "lon" : "lat");
  const axisB = b.axis ?? (axisA === "lat" ? "lon" : "lat");
  if (axisA === axisB) return { error: "unreadable" };
  return axisA === "lat" ? checked(a.value, b.value) : checked(b.value, a.value);
}

function oneDms(part) {
  const letters = part.match(/[NSEWO]/g) ?? [];
  if (letters.length > 1) return null;
  const letter = letters[0];
  const rest = part.replace(/[NSEWO]/, "").trim();
  const m = /^([-+])?\s*(\d+(?:[.,]\d+)?)\s*°?\s*(?:(\d+(?:[.,]\d+)?)\s*'?\s*(?:(\d+(?:[.,]\d+)?)\s*"?)?)?$/.exec(rest);
  if (!m) return null;
  const [deg, min, sec] = [m[2], m[3], m[4]].map((x) => (x === undefined ? undefined : num(x)));
  // Minutes and seconds are below 60, and only the last number written may have decimals.
  if (min !== undefined && (min >= 60 || !Number.isInteger(deg))) return null;
  if (sec !== undefined && (sec >= 60 || !Number.isInteger(min))) return null;
  let value = deg + (min ?? 0) / 60 + (sec ?? 0) / 3600;
  if (m[1] === "-") value = -value;
  if (letter) value *= HEMISPHERES[letter];
  const axis = letter ? ("NS".includes(letter) ? "lat" : "lon") : undefined;
  return { value, axis };
}

/** ``zone`` moved so that its centre is at [lat, lon]: a circle's centre, or a polygon moved
 * whole by the same shift (``centre`` is its current [lat, lon]). Rounded as the map rounds. */
export function movedZone(zone, centre, [lat, lon]) {
  const round = (x) => Math.round(x * 1e7) / 1e7;
  if (zone.type === "circle") return { ...zone, center: [round(lon), round(lat)] };
  const [dLat, dLon] = [lat - centre[0], lon - centre[1]];
  return { ...zone, coordinates: zone.coordinates.map((ring) => ring.map(([x, y]) => [round(x + dLon), round(y + dLat)])) };
}
