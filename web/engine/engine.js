// The trigger engine of docs/trigger-semantics.md: fixes in, events out, no DOM, no clock of
// its own. A port of the Python reference engine (trails/triggers/); section numbers in
// comments refer to the semantics document.
import { requirementsMet, windowsOpen } from "./conditions.js";
import { NarrationQueue } from "./queue.js";
import { exitMarginM } from "./trail.js";
import { roundDb, toMm, toMs } from "./units.js";
import { makeShape } from "./zones.js";
import { approachHolds, locate, newListener, objectGainDb, updateListener } from "./spatial.js";

const LAYER_MARGIN_M = 8;
const LAYER_EXIT_DWELL_S = 5;
const LAYER_MAX_ACCURACY_M = 30;
// The shape of state(); a player refuses to restore a state of another version.
const STATE_VERSION = 1;

const OBJECT_MARGIN_M = 8;
const OBJECT_EXIT_DWELL_S = 5;
const OBJECT_MAX_ACCURACY_M = 30;

/** A refused input: a fix out of range, time going backwards, or feeding after finish. */
export class EngineError extends Error {}

/**
 * A position (semantics section 1): time in seconds, never decreasing; WGS84 degrees; metres.
 * With the compass, when the player reads one: `heading_deg` in [0, 360) (section 13.2).
 * @typedef {{t: number, lat: number, lon: number, accuracy_m: number, heading_deg?: number | null}} Fix
 */
/**
 * What the engine says happens (semantics section 11); `tMs` in milliseconds.
 * @typedef {object} EngineEvent
 * @property {number} tMs
 * @property {"enter" | "exit" | "play" | "queue" | "end" | "skip" | "gain" | "spatial"} type
 * @property {string} stop the key of a stop, an ambient layer or a sound object
 * @property {string} [reason] why an `end` or `skip` happened
 * @property {number} [db] the gain of a `gain` or `spatial` event
 * @property {number | null} [azimuth] of a `spatial` event: whole degrees, null without orientation
 * @property {number} [distance_m] of a `spatial` event
 */
/**
 * The engine's state as plain JSON (see TriggerEngine.state); times in milliseconds.
 * @typedef {object} EngineState
 * @property {number} version
 * @property {number | null} clockMs
 * @property {boolean} finished
 * @property {{key: string, phase: string, sinceMs: number, exitSinceMs: number | null, outsideMm: number}[]} units
 * @property {Record<string, {triggered: boolean, played: boolean, lastEndMs: number | null}>} memory
 * @property {string[]} active
 * @property {{stop: string, priority: number, triggerMs: number}[]} queue
 * @property {{stop: string, priority: number, triggerMs: number, startMs: number, endMs: number} | null} playing
 * @property {[string, number | null][]} beds
 * @property {{lat: number | null, lon: number | null, course: number | null, heading: number | null, anchor: number[] | null, readings: number[]}} [listener]
 * @property {[string, string][]} [objects] accepted sound objects: armed, playing or done
 * @property {[string, number][]} [objectEnds] natural ends (ms) of objects that play once
 * @property {[string, (number | null)[] | null][]} [placed] last spatial values per placed sound
 */

function kindOf(stop) {
  if (stop.duration_s === null || stop.duration_s === undefined) return "silent";
  return stop.rules.replay === "loop" ? "loop" : "narration";
}

function buildUnits(trail) {
  const units = trail.stops.map((stop) => ({
    key: stop.key,
    kind: kindOf(stop),
    shape: makeShape(stop.zone),
    extraMm: 0,
    marginMm: toMm(exitMarginM(stop.zone, stop.rules)),
    maxAccMm: toMm(stop.rules.max_accuracy_m),
    dwellMs: toMs(stop.rules.dwell_s),
    exitDwellMs: toMs(stop.rules.exit_dwell_s),
    stop,
    layer: null,
  }));
  for (const layer of trail.ambience) {
    units.push({
      key: layer.key,
      kind: "ambience",
      shape: makeShape(layer.zone),
      extraMm: toMm(layer.max_distance_m),
      marginMm: toMm(LAYER_MARGIN_M),
      maxAccMm: toMm(LAYER_MAX_ACCURACY_M),
      dwellMs: 0,
      exitDwellMs: toMs(LAYER_EXIT_DWELL_S),
      stop: null,
      layer,
    });
  }
  for (const obj of trail.objects ?? []) {
    // The audible circle, built without the radius floor of stop zones.
    const zone = { type: "circle", center: obj.position, radius_m: obj.radius_m };
    units.push({
      key: obj.key,
      kind: "object",
      shape: makeShape(zone),
      extraMm: 0,
      marginMm: toMm(OBJECT_MARGIN_M),
      maxAccMm: toMm(OBJECT_MAX_ACCURACY_M),
      dwellMs: 0,
      exitDwellMs: toMs(OBJECT_EXIT_DWELL_S),
      stop: null,
      layer: null,
      obj,
    });
  }
  for (const u of units) Object.assign(u, { phase: "outside", sinceMs: 0, exitSinceMs: null, outsideMm: 0 });
  return units;
}

/** Gain (dB) of an ambient layer at a distance outside its zone (section 10). */
export function distanceGainDb(layer, outsideMm) {
  const d = outsideMm / 1000;
  if (d <= layer.min_distance_m) return layer.max_gain_db;
  if (d >= layer.max_distance_m) return layer.min_gain_db;
  const share = (d - layer.min_distance_m) / (layer.max_distance_m - layer.min_distance_m);
  return layer.max_gain_db + share * (layer.min_gain_db - layer.max_gain_db);
}

/**
 * The canonical JSON shape of an event: t, type, stop, then reason or db.
 * @param {EngineEvent} e
 * @returns {{t: number, type: string, stop: string, reason?: string, db?: number}}
 */
export function eventJson(e) {
  const out = { t: e.tMs / 1000, type: e.type, stop: e.stop };
  if (e.reason !== undefined) out.reason = e.reason;
  if (e.db !== undefined) out.db = e.db;
  if (e.type === "spatial") {
    out.azimuth = e.azimuth;
    out.distance_m = e.distance_m;
  }
  return out;
}

/** Feed fixes one at a time and collect the events each one causes. */
export class TriggerEngine {
  constructor(trail) {
    this.trail = trail;
    this.units = buildUnits(trail);
    this.memory = new Map(
      this.units.filter((u) => u.stop).map((u) => [u.key, { triggered: false, played: false, lastEndMs: null }]),
    );
    this.active = new Set();
    this.queue = new NarrationQueue();
    this.playing = null; // {cue, startMs, endMs}
    this.beds = new Map(); // audible bed index -> last emitted gain (null before the first)
    this.listener = newListener(); // plain data, so a saved state can hold it
    this.objects = new Map(); // accepted object index -> "armed" | "playing" | "done" (14.2)
    this.objectEnds = new Map(); // playing once-object index -> natural end (ms)
    this.placed = new Map(); // sound with a position -> last [db, azimuth, distance_m] emitted
    this.clockMs = null;
    this.finished = false;
    this.out = [];
  }

  /**
   * Process one fix {t, lat, lon, accuracy_m}; returns the events up to and at its time.
   * @param {Fix} fix
   * @returns {EngineEvent[]}
   */
  feed(fix) {
    this.checkOpen();
    const { lat, lon } = fix;
    if (![fix.t, lat, lon, fix.accuracy_m].every(Number.isFinite)) {
      throw new EngineError("a fix holds finite numbers only");
    }
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
      throw new EngineError(`latitude or longitude out of range: ${lat}, ${lon}`);
    }
    if (!(fix.accuracy_m >= 0)) throw new EngineError("accuracy cannot be negative");
    const heading = fix.heading_deg ?? null;
    if (heading !== null && !(Number.isFinite(heading) && heading >= 0 && heading < 360)) {
      throw new EngineError(`a heading is in [0, 360) degrees: ${heading}`);
    }
    const tMs = this.checkTime(toMs(fix.t));
    this.advance(tMs);
    updateListener(this.listener, lat, lon, toMm(fix.accuracy_m), heading);
    const [exits, enters] = this.transitions(fix, tMs);
    for (const i of exits) this.onExit(i, tMs);
    const cues = [];
    for (const i of enters) {
      const cue = this.onEnter(i, tMs);
      if (cue) cues.push(cue);
    }
    this.dispatch(cues, tMs);
    this.startObjects(tMs);
    this.emitGains(tMs);
    this.emitSpatial(tMs);
    return this.take();
  }

  /**
   * Advance the clock to t seconds without a fix: emits narration ends up to t (section 9).
   * @param {number} t
   * @returns {EngineEvent[]}
   */
  tick(t) {
    this.checkOpen();
    const tMs = toMs(t);
    if (this.clockMs !== null && tMs <= this.clockMs) return [];
    this.advance(tMs);
    return this.take();
  }

  /**
   * End of track: cut everything at t, or (t null) let narrations play out.
   * @param {number | null} [t]
   * @returns {EngineEvent[]}
   */
  finish(t = null) {
    this.checkOpen();
    this.finished = true;
    let endMs;
    if (t === null || t === undefined) {
      this.advance(null);
      endMs = this.clockMs ?? 0;
    } else {
      if (!Number.isFinite(t)) throw new EngineError("the end of the track is a finite time");
      endMs = this.checkTime(toMs(t));
      this.advance(endMs);
      if (this.playing) this.endNarration(endMs, "track-end", false);
      for (const cue of this.queue.drain()) this.emit(endMs, "skip", cue.index, { reason: "track-end" });
    }
    for (const i of [...this.beds.keys()].sort((a, b) => a - b)) {
      this.emit(endMs, "end", i, { reason: "track-end" });
    }
    this.beds.clear();
    for (const i of [...this.objects.keys()].sort((a, b) => a - b)) {
      if (this.objects.get(i) === "playing") this.emit(endMs, "end", i, { reason: "track-end" });
    }
    this.objects.clear();
    this.objectEnds.clear();
    this.placed.clear();
    return this.take();
  }

  /** What plays and waits now: the narration, the queue and the beds with their gains. */
  snapshot() {
    return {
      playing: this.playing ? this.units[this.playing.cue.index].key : null,
      playingEndMs: this.playing ? this.playing.endMs : null,
      queue: this.queue.cues.map((c) => this.units[c.index].key),
      beds: Object.fromEntries([...this.beds].map(([i, db]) => [this.units[i].key, db])),
    };
  }

  /**
   * The engine's whole state as plain JSON (for a player to save and reopen a walk): the
   * clock, each zone's phase and timers, what was triggered and played, the narration that
   * plays, the queue and the audible beds. Units are named by key, so a state only restores
   * into an engine of the same trail.
   * @returns {EngineState}
   */
  state() {
    const key = (i) => this.units[i].key;
    const cue = (c) => ({ stop: key(c.index), priority: c.priority, triggerMs: c.triggerMs });
    return {
      version: STATE_VERSION,
      clockMs: this.clockMs,
      finished: this.finished,
      units: this.units.map((u) => ({
        key: u.key,
        phase: u.phase,
        sinceMs: u.sinceMs,
        exitSinceMs: u.exitSinceMs,
        outsideMm: u.outsideMm,
      })),
      memory: Object.fromEntries([...this.memory].map(([k, m]) => [k, { ...m }])),
      active: [...this.active].sort((a, b) => a - b).map(key),
      queue: this.queue.cues.map(cue),
      playing: this.playing ? { ...cue(this.playing.cue), startMs: this.playing.startMs, endMs: this.playing.endMs } : null,
      beds: [...this.beds].map(([i, db]) => [key(i), db]),
      // Spatial audio (semantics sections 13-17); absent in a state saved before them.
      listener: { ...this.listener, anchor: this.listener.anchor && [...this.listener.anchor], readings: [...this.listener.readings] },
      objects: [...this.objects].map(([i, st]) => [key(i), st]),
      objectEnds: [...this.objectEnds].map(([i, ms]) => [key(i), ms]),
      placed: [...this.placed].map(([i, last]) => [key(i), last && [...last]]),
    };
  }

  /**
   * Take back a state made by state() on an engine of the same trail; the engine then goes
   * on exactly as the one that made it would have. A state of another trail is refused.
   * @param {EngineState} saved
   * @returns {this}
   */
  restore(saved) {
    if (!saved || saved.version !== STATE_VERSION) throw new EngineError("this engine state has an unknown version");
    const index = new Map(this.units.map((u, i) => [u.key, i]));
    const at = (k) => {
      if (!index.has(k)) throw new EngineError(`this engine state names a stop the trail does not have: ${k}`);
      return index.get(k);
    };
    const units = saved.units ?? [];
    if (units.length !== this.units.length || units.some((u, i) => u.key !== this.units[i].key)) {
      throw new EngineError("this engine state is of another trail");
    }
    const cue = (c) => ({ index: at(c.stop), priority: c.priority, triggerMs: c.triggerMs });
    units.forEach((u, i) =>
      Object.assign(this.units[i], { phase: u.phase, sinceMs: u.sinceMs, exitSinceMs: u.exitSinceMs, outsideMm: u.outsideMm }),
    );
    for (const [k, m] of Object.entries(saved.memory ?? {})) {
      if (!this.memory.has(k)) throw new EngineError(`this engine state names a stop the trail does not have: ${k}`);
      this.memory.set(k, { triggered: Boolean(m.triggered), played: Boolean(m.played), lastEndMs: m.lastEndMs ?? null });
    }
    this.active = new Set((saved.active ?? []).map(at));
    this.queue = new NarrationQueue();
    for (const c of saved.queue ?? []) this.queue.push(cue(c));
    this.playing = saved.playing ? { cue: cue(saved.playing), startMs: saved.playing.startMs, endMs: saved.playing.endMs } : null;
    this.beds = new Map((saved.beds ?? []).map(([k, db]) => [at(k), db]));
    this.listener = { ...newListener(), ...(saved.listener ?? {}) };
    this.objects = new Map((saved.objects ?? []).map(([k, st]) => [at(k), st]));
    this.objectEnds = new Map((saved.objectEnds ?? []).map(([k, ms]) => [at(k), ms]));
    this.placed = new Map((saved.placed ?? []).map(([k, last]) => [at(k), last]));
    this.clockMs = saved.clockMs ?? null;
    this.finished = Boolean(saved.finished);
    this.out = [];
    return this;
  }

  // -- one fix ----------------------------------------------------------------------------

  transitions(fix, tMs) {
    const accMm = toMm(fix.accuracy_m);
    const exits = [];
    const enters = [];
    this.units.forEach((unit, i) => {
      if (accMm > unit.maxAccMm) return; // section 4: this fix does not exist for the zone
      const outside = unit.shape.outsideMm(fix.lat, fix.lon);
      unit.outsideMm = outside;
      const excess = outside - unit.extraMm;
      const inside = excess <= 0;
      if (unit.phase === "inside") {
        // Section 6: the whole accuracy circle must clear the margin, for exit_dwell.
        if (excess - accMm > unit.marginMm) {
          if (unit.exitSinceMs === null) unit.exitSinceMs = tMs;
          if (tMs - unit.exitSinceMs >= unit.exitDwellMs) {
            unit.phase = "outside";
            this.active.delete(i);
            exits.push(i);
          }
        } else {
          unit.exitSinceMs = null;
        }
        return;
      }
      if (!inside) {
        unit.phase = "outside";
        this.active.delete(i);
        return;
      }
      if (unit.phase === "outside") {
        unit.phase = "dwelling";
        unit.sinceMs = tMs;
        this.active.add(i);
      }
      if (tMs - unit.sinceMs >= unit.dwellMs) {
        unit.phase = "inside";
        unit.exitSinceMs = null;
        enters.push(i);
      }
    });
    return [exits, enters];
  }

  onExit(i, tMs) {
    const unit = this.units[i];
    this.emit(tMs, "exit", i);
    if (unit.kind === "object") {
      const state = this.objects.get(i);
      this.objects.delete(i);
      this.objectEnds.delete(i);
      if (state === "playing") {
        this.placed.delete(i);
        this.emit(tMs, "end", i, { reason: "left-zone" });
      }
      return;
    }
    if (unit.kind === "loop" || unit.kind === "ambience") {
      if (this.beds.has(i)) {
        this.beds.delete(i);
        this.emit(tMs, "end", i, { reason: "left-zone" });
      }
      return;
    }
    if (unit.kind !== "narration") return;
    if (this.queue.remove(i)) this.emit(tMs, "skip", i, { reason: "left-zone" });
    if (this.playing && this.playing.cue.index === i && unit.stop.rules.on_exit === "stop") {
      // The queue head starts in dispatch, after this fix's enters are known.
      this.endNarration(tMs, "left-zone", false);
    }
  }

  onEnter(i, tMs) {
    const unit = this.units[i];
    this.emit(tMs, "enter", i);
    if (unit.kind === "ambience") {
      this.beds.set(i, null);
      this.emit(tMs, "play", i);
      return null;
    }
    if (unit.kind === "object") {
      const refused = this.objectRefusal(unit.obj, tMs);
      if (refused) this.emit(tMs, "skip", i, { reason: refused });
      else this.objects.set(i, "armed");
      return null;
    }
    const reason = this.refusal(i, tMs);
    if (reason) {
      this.emit(tMs, "skip", i, { reason });
      return null;
    }
    const memory = this.memory.get(unit.key);
    memory.triggered = true;
    if (unit.kind === "loop") {
      memory.played = true;
      this.beds.set(i, null);
      this.emit(tMs, "play", i);
      return null;
    }
    if (unit.kind === "silent") return null;
    return { index: i, priority: unit.stop.rules.priority, triggerMs: tMs };
  }

  refusal(i, tMs) {
    const unit = this.units[i];
    const rules = unit.stop.rules;
    const memory = this.memory.get(unit.key);
    const done = unit.kind === "silent" ? memory.triggered : memory.played;
    if (rules.replay === "once" && done) return "once";
    if (rules.replay === "always") {
      const playing = this.playing !== null && this.playing.cue.index === i;
      if (playing || this.queue.has(i)) return "playing";
      if (memory.lastEndMs !== null && tMs - memory.lastEndMs < toMs(rules.cooldown_s)) return "cooldown";
    }
    if (!windowsOpen(rules.time_windows, tMs, this.trail.timezone)) return "time-window";
    if (this.trail.mode === "sequential" && i > 0) {
      if (!this.memory.get(this.units[i - 1].key).triggered) return "sequence";
    }
    if (!requirementsMet(rules.requires, this.memory)) return "requires";
    if (!approachHolds(rules.approach, this.listener.course)) return "approach";
    return null;
  }

  /** Section 14.1: time windows, requirements, approach; no replay, no sequence. */
  objectRefusal(obj, tMs) {
    if (!windowsOpen(obj.time_windows, tMs, this.trail.timezone)) return "time-window";
    if (!requirementsMet(obj.requires, this.memory)) return "requires";
    if (!approachHolds(obj.approach, this.listener.course)) return "approach";
    return null;
  }

  /** Section 14.2: armed objects start when they have no facing rule or it holds. */
  startObjects(tMs) {
    for (const i of [...this.objects.keys()].sort((a, b) => a - b)) {
      if (this.objects.get(i) !== "armed") continue;
      const obj = this.units[i].obj;
      if (obj.facing) {
        const located = locate(this.listener, obj.position);
        const azimuth = located ? located[1] : null;
        if (azimuth === null || Math.abs(azimuth) > obj.facing.tolerance_deg) continue;
      }
      this.objects.set(i, "playing");
      this.placed.set(i, null);
      if (!obj.loop) this.objectEnds.set(i, tMs + toMs(obj.duration_s));
      this.emit(tMs, "play", i);
    }
  }

  dispatch(newCues, tMs) {
    const ordered = [...newCues].sort((a, b) => b.priority - a.priority || a.index - b.index);
    for (const cue of ordered) {
      const playing = this.playing;
      const rules = this.units[cue.index].stop.rules;
      if (playing && rules.interrupt && cue.priority >= playing.cue.priority && playing.startMs < tMs) {
        this.endNarration(tMs, "interrupted", false);
        this.start(cue, tMs);
      } else {
        this.queue.push(cue);
      }
    }
    if (this.playing === null && this.queue.length) this.start(this.queue.pop(), tMs);
    // In queue order (section 8): higher priority first, as the dispatch took them.
    for (const cue of ordered) {
      if (this.queue.has(cue.index)) this.emit(tMs, "queue", cue.index);
    }
  }

  // -- time -------------------------------------------------------------------------------

  // Natural ends up to and at tMs (or, with null, while a narration plays): a narration's
  // end comes before objects' ends at the same time, and objects end in trail order.
  advance(tMs) {
    for (;;) {
      const ends = [...this.objectEnds].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      const playing = this.playing;
      let endMs;
      let objIndex = null;
      if (playing && (!ends.length || playing.endMs <= ends[0][1])) endMs = playing.endMs;
      else if (ends.length) [objIndex, endMs] = ends[0];
      else break;
      const limit = tMs !== null ? tMs : playing ? playing.endMs : this.clockMs;
      if (limit === null || endMs > limit) break;
      if (objIndex === null) this.endNarration(endMs, "finished");
      else {
        this.objectEnds.delete(objIndex);
        this.objects.set(objIndex, "done");
        this.placed.delete(objIndex);
        this.emit(endMs, "end", objIndex, { reason: "finished" });
        if (this.clockMs === null || endMs > this.clockMs) this.clockMs = endMs;
      }
      this.emitGains(endMs);
      this.emitSpatial(endMs);
    }
    if (tMs !== null) this.clockMs = tMs;
  }

  endNarration(tMs, reason, startNext = true) {
    const playing = this.playing;
    this.playing = null;
    this.placed.delete(playing.cue.index);
    this.memory.get(this.units[playing.cue.index].key).lastEndMs = tMs;
    this.emit(tMs, "end", playing.cue.index, { reason });
    if (this.clockMs === null || tMs > this.clockMs) this.clockMs = tMs;
    if (startNext && this.queue.length) this.start(this.queue.pop(), tMs);
  }

  start(cue, tMs) {
    const unit = this.units[cue.index];
    this.playing = { cue, startMs: tMs, endMs: tMs + toMs(unit.stop.duration_s) };
    this.memory.get(unit.key).played = true;
    if (unit.stop.position) this.placed.set(cue.index, null);
    this.emit(tMs, "play", cue.index);
  }

  emitGains(tMs) {
    const duck = this.playing ? this.trail.ducking_db : 0;
    for (const i of [...this.beds.keys()].sort((a, b) => a - b)) {
      const unit = this.units[i];
      const base = unit.layer ? distanceGainDb(unit.layer, unit.outsideMm) : 0;
      const gain = roundDb(base + duck);
      if (this.beds.get(i) !== gain) {
        this.beds.set(i, gain);
        this.emit(tMs, "gain", i, { db: gain });
      }
    }
  }

  /** Section 17: where each placed sound is heard from, whenever it changes. */
  emitSpatial(tMs) {
    const duck = this.playing ? this.trail.ducking_db : 0;
    for (const i of [...this.placed.keys()].sort((a, b) => a - b)) {
      const unit = this.units[i];
      const located = locate(this.listener, unit.obj ? unit.obj.position : unit.stop.position);
      if (!located) continue;
      const [dMm, azimuth] = located;
      // A narration keeps its full gain (15.1); an object follows its distance law.
      const db = unit.obj ? roundDb(objectGainDb(unit.obj, dMm) + duck) : 0;
      const last = this.placed.get(i);
      if (last && last[0] === db && last[1] === azimuth && last[2] === dMm / 1000) continue;
      this.placed.set(i, [db, azimuth, dMm / 1000]);
      this.out.push({ tMs, type: "spatial", stop: unit.key, db, azimuth, distance_m: dMm / 1000 });
    }
  }

  // -- plumbing ---------------------------------------------------------------------------

  checkOpen() {
    if (this.finished) throw new EngineError("this engine has finished its track; start a new one");
  }

  checkTime(tMs) {
    if (this.clockMs !== null && tMs < this.clockMs) {
      throw new EngineError(`time goes backwards: ${tMs / 1000} s comes after ${this.clockMs / 1000} s`);
    }
    return tMs;
  }

  /**
   * @param {number} tMs
   * @param {EngineEvent["type"]} type
   * @param {number} i
   * @param {{reason?: string, db?: number}} [extra]
   */
  emit(tMs, type, i, extra = {}) {
    this.out.push({ tMs, type, stop: this.units[i].key, ...extra });
  }

  /** @returns {EngineEvent[]} */
  take() {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/** Run a whole track through a fresh engine; returns canonical events. */
export function runTrack(trail, fixes, finishT = null) {
  const engine = new TriggerEngine(trail);
  const events = [];
  for (const fix of fixes) events.push(...engine.feed(fix));
  events.push(...engine.finish(finishT));
  return events.map(eventJson);
}
