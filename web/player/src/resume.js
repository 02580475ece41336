// A walk kept on the phone as it goes, so that a reload, a closed tab or a killed app goes on
// from where it was: the engine's state, what was heard, the walk's own clock. One record per
// trail, tied to its release: a walk of another release, or an ended one, is not restored.

const PREFIX = "baladeur.walk.";
/** At most this often (ms) while a narration plays; events and page hiding save at once. */
export const SAVE_EVERY_MS = 1000;
/** Seconds heard again when a narration comes back after an interruption (a call, a pause). */
export const REWIND_S = 2;
// Enough for the walk's screen; the engine's state holds what the rules need.
const KEPT_EVENTS = 500;

/** The saved walk of a trail at a release, or null (none, another release, unreadable). */
export function loadWalk(slug, release) {
  try {
    const saved = JSON.parse(localStorage.getItem(PREFIX + slug) || "null");
    return saved && saved.release === release && saved.engine && !saved.engine.finished ? saved : null;
  } catch {
    return null;
  }
}

/** Forget a trail's walk (ended, or the trail removed). */
export function clearWalk(slug) {
  localStorage.removeItem(PREFIX + slug);
}

/** Save a walk record now; a full storage loses the save, never the walk. */
export function saveWalk(slug, record) {
  try {
    localStorage.setItem(PREFIX + slug, JSON.stringify({ ...record, events: record.events.slice(-KEPT_EVENTS) }));
    return true;
  } catch {
    return false;
  }
}

/**
 * The walk's clock in seconds: the page's clock, minus the time the walk stood still (the
 * page closed, the audio interrupted), so narrations go on from where they stopped.
 */
export class WalkClock {
  constructor(startAt = null, wall = () => Date.now() / 1000) {
    this.wall = wall;
    this.offset = startAt === null ? 0 : wall() - startAt;
    this.pausedAt = null;
  }

  /** Seconds on the walk's clock. */
  now() {
    return (this.pausedAt ?? this.wall()) - this.offset;
  }

  /** Stop the clock (idempotent). */
  pause() {
    if (this.pausedAt === null) this.pausedAt = this.wall();
  }

  /** Run again from where it stopped. */
  resume() {
    if (this.pausedAt === null) return;
    this.offset += this.wall() - this.pausedAt;
    this.pausedAt = null;
  }

  get paused() {
    return this.pausedAt !== null;
  }
}
