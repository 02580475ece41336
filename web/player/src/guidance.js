// Guidance to the next stop: distance and direction in words, an arrow, and an optional audio
// beacon. Everything is computed on the phone from its own fixes; no position leaves it.
import { bearingDeg, haversineM, pickCue } from "@baladeur/engine";
import { t } from "./i18n.js";
import { h } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";
const DEG = Math.PI / 180;
// A course needs this much movement (metres) within COURSE_WINDOW_S: GPS jitter while
// standing still must not spin the arrow.
const COURSE_MIN_M = 8;
const COURSE_WINDOW_S = 30;
const BEACON_EVERY_MS = 3000;
const BEACON_TONE_S = 0.15;
const BEACON_HZ = 880;
const COMPASS = ["north", "northEast", "east", "southEast", "south", "southWest", "west", "northWest"];

/** The point a stop is approached to: a circle's centre, a polygon's outer-ring mean. */
export function stopPoint(stop) {
  const g = stop.zone.geometry;
  if (stop.zone.properties.shape === "circle") return { lon: g.coordinates[0], lat: g.coordinates[1] };
  const ring = g.coordinates[0].slice(0, -1);
  return {
    lon: ring.reduce((a, p) => a + p[0], 0) / ring.length,
    lat: ring.reduce((a, p) => a + p[1], 0) / ring.length,
  };
}

/** The next stop in the trail's order that has something to hear and was not heard yet. */
export function nextStop(manifest, heard, language) {
  return manifest.stops.find((s) => !heard.has(s.key) && pickCue(s, language, manifest.trail.languages)) ?? null;
}

/** Distance as shown: to 5 m under 100 m, to 10 m under 1 km, else to 100 m. */
export function roundDistance(m) {
  if (m < 100) return 5 * Math.round(m / 5);
  if (m < 1000) return 10 * Math.round(m / 10);
  return 100 * Math.round(m / 100);
}

/** An angle in degrees brought into (-180, 180]. */
export function signedAngle(deg) {
  const a = ((deg % 360) + 360) % 360;
  return a > 180 ? a - 360 : a;
}

/** The walking direction (degrees from north) from recent fixes, or null when standing. */
export function courseFrom(fixes) {
  const last = fixes[fixes.length - 1];
  if (!last) return null;
  for (let i = fixes.length - 2; i >= 0; i -= 1) {
    const f = fixes[i];
    if (last.t - f.t > COURSE_WINDOW_S) break;
    if (haversineM(f.lat, f.lon, last.lat, last.lon) >= COURSE_MIN_M) return bearingDeg(f.lat, f.lon, last.lat, last.lon);
  }
  return null;
}

/** The words for a direction relative to the walking one (positive = to the right). */
export function relativeWords(rel) {
  const a = Math.abs(rel);
  const side = rel < 0 ? "Left" : "Right";
  if (a <= 20) return t("dirAhead");
  if (a <= 70) return t(`dirAhead${side}`);
  if (a <= 110) return t(`dir${side}`);
  if (a <= 160) return t(`dirBehind${side}`);
  return t("dirBehind");
}

/** The compass words for a bearing: one of eight points. */
export function compassWords(bearing) {
  return t(`dir_${COMPASS[Math.round(bearing / 45) % 8]}`);
}

/** Where the next stop is from a fix: {stop, distance_m, shown_m, bearing, course, relative, words}. */
export function guide(manifest, heard, language, fixes) {
  const stop = nextStop(manifest, heard, language);
  const fix = fixes[fixes.length - 1];
  if (!stop || !fix) return { stop: stop?.key ?? null, done: !stop };
  const p = stopPoint(stop);
  const distance = haversineM(fix.lat, fix.lon, p.lat, p.lon);
  const bearing = bearingDeg(fix.lat, fix.lon, p.lat, p.lon);
  const course = courseFrom(fixes);
  const relative = course === null ? null : signedAngle(bearing - course);
  const words = relative === null ? compassWords(bearing) : relativeWords(relative);
  return { stop: stop.key, done: false, distance_m: distance, shown_m: roundDistance(distance), bearing, course, relative, words };
}

/**
 * The stereo position of the beacon for a direction (degrees, 0 = ahead, positive = right):
 * -1 full left, 1 full right. The one place to swap for HRTF rendering later.
 */
export function beaconPan(angle) {
  return Math.sin(angle * DEG);
}

/** How loud the beacon is at a distance: quieter as the stop nears. */
export function beaconGain(distance) {
  return 0.04 + 0.2 * Math.min(1, distance / 300);
}

/** A short tone through a StereoPannerNode; returns when it will have ended. */
function beep(ctx, pan, gain) {
  const osc = ctx.createOscillator();
  const env = ctx.createGain();
  const panner = ctx.createStereoPanner();
  osc.frequency.value = BEACON_HZ;
  panner.pan.value = pan;
  const t0 = ctx.currentTime;
  env.gain.setValueAtTime(0, t0);
  env.gain.linearRampToValueAtTime(gain, t0 + 0.02);
  env.gain.linearRampToValueAtTime(0, t0 + BEACON_TONE_S);
  osc.connect(env).connect(panner).connect(ctx.destination);
  osc.start(t0);
  osc.stop(t0 + BEACON_TONE_S + 0.01);
}

function arrowSvg() {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 48 48");
  svg.setAttribute("class", "guide-arrow");
  svg.setAttribute("aria-hidden", "true");
  const g = document.createElementNS(NS, "g");
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", "M24 4 L38 40 L24 31 L10 40 Z");
  g.appendChild(path);
  svg.appendChild(g);
  return { svg, g };
}

/** The guidance panel of a walk: text, arrow and the beacon toggle. */
export class Guidance {
  constructor({ manifest, language, audio, onReport }) {
    this.manifest = manifest;
    this.language = language;
    this.audio = audio; // an AudioOutput: its context, unlocked by the walk's tap
    this.onReport = onReport;
    this.fixes = [];
    this.current = null;
    this.playing = null;
    this.beeps = 0;
    this.lastPan = null;
    const { svg, g } = arrowSvg();
    this.arrow = g;
    this.text = h("p", { class: "guide-text", id: "guide-text", "aria-live": "polite" }, t("guideWaiting"));
    this.toggle = h("input", { type: "checkbox", id: "beacon" });
    this.toggle.addEventListener("change", () => this.setBeacon(this.toggle.checked));
    this.node = h(
      "section",
      { class: "guide", id: "guide", "aria-label": t("guideTitle") },
      svg,
      h("div", {}, h("span", { class: "label" }, t("guideTitle")), this.text, h("label", { class: "check" }, this.toggle, t("beacon"))),
    );
    this.timer = null;
  }

  /** Take the walk's state: a new fix updates the guidance, a narration silences the beacon. */
  update(state) {
    this.playing = state.playing;
    const heard = new Set(state.events.filter((e) => e.type === "play").map((e) => e.stop));
    const fix = state.fix;
    const last = this.fixes[this.fixes.length - 1];
    if (fix && (!last || last.t !== fix.t || last.lat !== fix.lat || last.lon !== fix.lon)) {
      this.fixes.push(fix);
      this.fixes = this.fixes.filter((f) => fix.t - f.t <= COURSE_WINDOW_S);
    }
    this.current = guide(this.manifest, heard, this.language, this.fixes);
    this.render();
  }

  render() {
    const g = this.current;
    if (g.done) {
      this.text.textContent = t("guideDone");
      this.node.dataset.state = "done";
    } else if (g.distance_m === undefined) {
      this.text.textContent = t("guideWaiting");
    } else {
      const stop = this.manifest.stops.find((s) => s.key === g.stop);
      const index = this.manifest.stops.indexOf(stop) + 1;
      this.text.textContent = t("guideLine", { n: index, d: `${g.shown_m} m`, w: g.words });
      // Without a course the arrow points to the bearing with north up.
      this.arrow.setAttribute("transform", `rotate(${(g.relative ?? g.bearing).toFixed(1)} 24 24)`);
      this.node.dataset.state = g.relative === null ? "compass" : "relative";
    }
    this.report();
  }

  report() {
    const g = this.current ?? {};
    this.onReport({
      guidance: g.distance_m === undefined ? { stop: g.stop ?? null, done: Boolean(g.done) } : { ...g, text: this.text.textContent },
      beacon: { on: this.timer !== null, pan: this.lastPan, beeps: this.beeps },
    });
  }

  /** Turn the beacon on or off (off by default). */
  setBeacon(on) {
    clearInterval(this.timer);
    this.timer = null;
    if (on) {
      this.timer = setInterval(() => this.ping(), BEACON_EVERY_MS);
      this.ping();
    }
    this.report();
  }

  ping() {
    const g = this.current;
    // Silent while a narration plays, and with nothing to point at.
    if (this.playing || !g || g.distance_m === undefined) return;
    // The context may have been closed for lack of use: the beacon opens it again, and each
    // tone restarts the idle countdown so it is not closed while the beacon is on.
    const ctx = this.audio.ensure();
    this.audio.idle();
    // With no walking direction the phone cannot tell left from right: the tone stays centred.
    this.lastPan = beaconPan(g.relative ?? 0);
    beep(ctx, this.lastPan, beaconGain(g.distance_m));
    this.beeps += 1;
    this.report();
  }

  /** End the beacon. */
  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}
