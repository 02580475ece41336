// The phone's compass, when the visitor turns it on: the latest heading, clockwise from north
// in [0, 360), for the trigger engine's fixes (semantics 13.2). Smoothing is the engine's.

/** Milliseconds without a reading after which the compass is not trusted any more. */
export const COMPASS_SILENT_AFTER_MS = 3000;

/**
 * A heading from a DeviceOrientation event, or null when it gives none: Safari's
 * `webkitCompassHeading` is already clockwise from north; an absolute `alpha` turns
 * counter-clockwise, so the heading is 360 − alpha. Both are magnetic on today's phones:
 * `north.js` turns them to true north with the fix's position.
 */
export function headingFrom(event) {
  let deg = null;
  if (typeof event.webkitCompassHeading === "number" && Number.isFinite(event.webkitCompassHeading)) {
    deg = event.webkitCompassHeading;
  } else if (event.absolute && typeof event.alpha === "number" && Number.isFinite(event.alpha)) {
    deg = 360 - event.alpha;
  }
  return deg === null ? null : tenthOfDegree(deg);
}

/** Any angle as a heading in [0, 360), to 0.1°. */
export function tenthOfDegree(deg) {
  const heading = Math.round((((deg % 360) + 360) % 360) * 10) / 10;
  return heading >= 360 ? 0 : heading; // 359.96 rounds up to 360, which is north
}

/** Whether this browser has device orientation at all. */
export function compassSupported() {
  return typeof window.DeviceOrientationEvent !== "undefined";
}

/**
 * Listens to the compass once started from a tap. `status`: "off", "on" (readings come),
 * "waiting" (started, no recent reading), "unavailable" (no device orientation) or "denied".
 */
export class Compass {
  constructor(onReading = () => {}) {
    this.onReading = onReading; // (heading) on each reading
    this.status = "off";
    this.last = null; // {heading, at} (ms, page clock)
    this.listener = (e) => this.read(e);
    this.events = [];
  }

  /** Ask for the compass (call from a click: iOS asks the visitor then) and start listening. */
  async start() {
    if (!compassSupported()) {
      this.status = "unavailable";
      return this.status;
    }
    const ask = window.DeviceOrientationEvent.requestPermission;
    if (typeof ask === "function") {
      let answer = "denied";
      try {
        answer = await ask.call(window.DeviceOrientationEvent);
      } catch {
        answer = "denied";
      }
      if (answer !== "granted") {
        this.status = "denied";
        return this.status;
      }
    }
    // Chromium's absolute event is relative to north; elsewhere the plain one may carry it.
    this.events = "ondeviceorientationabsolute" in window ? ["deviceorientationabsolute", "deviceorientation"] : ["deviceorientation"];
    for (const name of this.events) window.addEventListener(name, this.listener);
    this.status = "waiting";
    return this.status;
  }

  /** Stop listening. */
  stop() {
    for (const name of this.events) window.removeEventListener(name, this.listener);
    this.events = [];
    this.status = "off";
    this.last = null;
  }

  read(event) {
    const heading = headingFrom(event);
    if (heading === null) return; // a relative orientation says nothing of the north
    this.last = { heading, at: Date.now() };
    this.status = "on";
    this.onReading(heading);
  }

  /** The latest heading if a reading came within COMPASS_SILENT_AFTER_MS, else null. */
  heading(nowMs = Date.now()) {
    if (!this.last || nowMs - this.last.at > COMPASS_SILENT_AFTER_MS) {
      if (this.status === "on") this.status = "waiting";
      return null;
    }
    return this.last.heading;
  }
}
