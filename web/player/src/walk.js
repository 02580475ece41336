// A walk: geolocation fixes (kept on the phone) feed the trigger engine; its events drive the
// audio, the lock-screen metadata and the published player state.
import { TriggerEngine, eventJson, pickCue, trailFromManifest } from "@baladeur/engine";
import { Compass } from "./compass.js";
import { GpsWatch, LOST_AFTER_S, usableAccuracyM } from "./gps.js";
import { signedAngle } from "./guidance.js";
import { trueHeading } from "./north.js";
import { REWIND_S, SAVE_EVERY_MS, WalkClock, clearWalk, saveWalk } from "./resume.js";

function mediaSha(path) {
  return path.slice("media/".length).split(".")[0];
}

// A compass turn of at least this much (degrees) is fed to the engine between GPS fixes...
export const TURN_MIN_DEG = 10;
// ...at most this often (ms): four a second follow a head turn without flooding the engine.
export const TURN_EVERY_MS = 250;
// Seconds a sound object takes to fade out after its end (an object stops; a bed fades longer).
const OBJECT_FADE_S = 0.5;
// Enough fixes for a person or a test to replay the walk's last minutes.
const KEPT_FIXES = 500;

/** Runs the trigger engine on live positions and plays what it says; kept on the phone as it goes. */
export class WalkSession {
  constructor({ manifest, slug, release, language, audio, onChange, saved = null }) {
    this.manifest = manifest;
    this.slug = slug;
    this.release = release;
    this.language = language;
    this.audio = audio;
    this.onChange = onChange;
    this.clock = new WalkClock(saved ? saved.clock : null);
    this.now = () => this.clock.now();
    this.engine = new TriggerEngine(trailFromManifest(manifest, language));
    if (saved) this.engine.restore(saved.engine);
    this.gps = new GpsWatch(usableAccuracyM(this.engine.trail), this.now());
    this.stops = new Map(manifest.stops.map((s) => [s.key, s]));
    this.layers = new Map(manifest.ambience.map((a) => [a.key, a]));
    this.objects = new Map((manifest.objects ?? []).map((o) => [o.key, o])); // format 1.2
    this.compass = new Compass((heading) => this.compassTurned(heading));
    this.lastGps = null; // the last position the phone gave: repeated with a new compass heading
    this.lastFed = null; // {at: wall ms, heading} of the last fix fed to the engine
    this.turnTimer = null;
    this.state = {
      mode: "walk",
      playing: this.engine.snapshot().playing,
      queue: this.engine.snapshot().queue,
      started: saved?.started ?? [],
      events: saved?.events ?? [],
      beds: this.engine.snapshot().beds,
      fix: null,
      geoError: null,
      gps: "lost",
      suggestManual: false,
      paused: false,
      resumed: Boolean(saved),
      narration: null,
      // What each placed sound is heard as now (the engine's last `spatial` values by key).
      placed: Object.fromEntries(
        (this.engine.state().placed ?? []).filter(([, last]) => last).map(([k, [db, azimuth, distance_m]]) => [k, { db, azimuth, distance_m }]),
      ),
      orientation: this.orientation(),
      compass: "off",
      fed: [], // the fixes the engine was given, compass repeats included
    };
    this.watch = null;
    this.timer = null;
    this.savedAt = 0;
    this.waitingForAudio = false;
    this.onHide = () => this.pageHidden();
    this.onPageHide = () => this.save();
  }

  /** The cue a stop plays in the walk's language. */
  cue(key) {
    return pickCue(this.stops.get(key), this.language, this.manifest.trail.languages);
  }

  /** Start listening to positions; narrations ends are checked twice a second. */
  start() {
    const shas = [];
    for (const stop of this.manifest.stops) {
      const cue = this.cue(stop.key);
      if (cue) shas.push(mediaSha(cue.audio));
    }
    for (const layer of this.manifest.ambience) shas.push(mediaSha(layer.audio));
    for (const obj of this.objects.values()) shas.push(mediaSha(obj.audio));
    this.audio.preload(shas);
    this.audio.onInterruption = (interrupted) => (interrupted ? this.pause() : this.unpause(REWIND_S));
    this.audio.onContext = (state) => {
      if (state === "running" && this.waitingForAudio) {
        this.waitingForAudio = false;
        this.unpause(0);
      }
      this.onChange(this.state);
    };
    if (this.audio.contextState() !== "running") {
      // A reopened page may not have the audio yet (browsers wait for a tap): the walk waits.
      this.waitingForAudio = true;
      this.pause();
    } else {
      this.restartAudible();
    }
    this.startWatch();
    document.addEventListener("visibilitychange", this.onHide);
    window.addEventListener("pagehide", this.onPageHide);
    this.timer = setInterval(() => this.tick(), 500);
    this.tick();
    this.save();
  }

  tick() {
    this.apply(this.engine.tick(this.now()));
    // A compass gone silent is not trusted from memory (13.2): say so to the engine at once.
    if (this.lastFed?.heading != null && this.compass.heading() === null) this.feedRepeat();
    if (this.state.compass !== this.compass.status) {
      this.state.compass = this.compass.status;
      this.onChange(this.state);
    }
    const { quality, suggestManual } = this.gps.update(this.state.fix, this.now());
    const changed = quality !== this.state.gps || suggestManual !== this.state.suggestManual;
    this.state.gps = quality;
    this.state.suggestManual = suggestManual;
    this.state.narration = this.narration();
    // The story's position moves on; placed sounds' nodes ramp towards their places.
    if (changed || this.state.playing || Object.keys(this.state.placed).length) this.onChange(this.state);
    if (this.state.playing && Date.now() - this.savedAt >= SAVE_EVERY_MS) this.save();
  }

  /** The narration that plays and how far into it (s, on the walk's clock), or null. */
  narration() {
    const playing = this.engine.state().playing;
    if (!playing) return null;
    return { stop: playing.stop, position_s: Math.max(0, this.now() - playing.startMs / 1000) };
  }

  // High accuracy only while the walk is on and the page can use it.
  startWatch() {
    if (this.watch !== null || !navigator.geolocation) return;
    this.watch = navigator.geolocation.watchPosition(
      (pos) => this.onPosition(pos),
      (err) => {
        this.state.geoError = err.code === err.PERMISSION_DENIED ? "denied" : "unavailable";
        this.onChange(this.state);
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 },
    );
  }

  stopWatch() {
    if (this.watch !== null) navigator.geolocation.clearWatch(this.watch);
    this.watch = null;
  }

  pageHidden() {
    if (document.visibilityState === "visible") {
      this.startWatch();
    } else {
      this.save();
      // A hidden page with no sound is frozen by the browser anyway: let the GPS rest.
      const audible = this.state.playing || Object.keys(this.state.beds).length || Object.keys(this.state.placed).length;
      if (!audible || this.audio.contextState() !== "running") this.stopWatch();
    }
    this.state.watching = this.watch !== null;
    this.onChange(this.state);
  }

  /** The system took the audio (a call, the page hidden): the walk's clock stops, the story pauses. */
  pause() {
    if (this.clock.paused) return;
    this.clock.pause();
    this.audio.stopNarration();
    this.state.paused = true;
    this.state.narration = this.narration();
    this.save();
    this.onChange(this.state);
  }

  /** The audio is back: the clock runs again and the story goes on rewind seconds earlier. */
  unpause(rewind) {
    if (!this.clock.paused) return;
    this.clock.resume();
    const state = this.engine.state();
    if (state.playing && rewind > 0) {
      const heard = (this.now() * 1000 - state.playing.startMs) / 1000;
      const back = Math.round(1000 * Math.min(rewind, Math.max(0, heard)));
      state.playing.startMs += back;
      state.playing.endMs += back;
      this.engine.restore(state);
    }
    this.state.paused = false;
    this.restartAudible();
    this.state.narration = this.narration();
    this.save();
    this.onChange(this.state);
  }

  // Sound again what the engine says is audible (after a reopen or an interruption).
  restartAudible() {
    const state = this.engine.state();
    const playing = state.playing;
    const placed = new Map(state.placed ?? []);
    const place = (key) => {
      const last = placed.get(key);
      if (last) this.audio.placeSound(key, last[0], last[1]);
    };
    if (playing) {
      const at = Math.max(0, this.now() - playing.startMs / 1000);
      const positioned = Boolean(this.stops.get(playing.stop)?.position);
      this.audio.playNarration(playing.stop, mediaSha(this.cue(playing.stop).audio), at, positioned);
      place(playing.stop);
    }
    // Sound objects that were playing come back where the engine last placed them.
    for (const [key, st] of state.objects ?? []) {
      const obj = this.objects.get(key);
      if (st !== "playing" || !obj || this.audio.beds.has(key)) continue;
      this.audio.playBed(key, mediaSha(obj.audio), placed.get(key)?.[0] ?? -60, { loop: obj.loop, place: true });
      place(key);
    }
    for (const [key, db] of Object.entries(this.engine.snapshot().beds)) {
      if (this.audio.beds.has(key)) continue;
      const layer = this.layers.get(key);
      const sha = mediaSha(layer ? layer.audio : this.cue(key).audio);
      this.audio.playBed(key, sha, db ?? -40);
    }
  }

  /** Keep the walk on the phone now. */
  save() {
    if (this.engine.finished) return;
    this.savedAt = Date.now();
    saveWalk(this.slug, {
      release: this.release,
      language: this.language,
      clock: this.now(),
      engine: this.engine.state(),
      started: this.state.started,
      events: this.state.events,
    });
  }

  onPosition(pos) {
    const { latitude, longitude, accuracy } = pos.coords;
    const fix = this.feedFix(latitude, longitude, accuracy);
    this.lastGps = fix;
    this.state.fix = fix;
    this.state.geoError = null;
    const { quality, suggestManual } = this.gps.update(this.state.fix, this.now());
    this.state.gps = quality;
    this.state.suggestManual = suggestManual;
    this.onChange(this.state);
  }

  /** Give the engine a fix now, with the compass's heading when it reads; returns the fix. */
  feedFix(lat, lon, accuracy_m) {
    // The engine refuses time going backwards; the phone's clock and fix times may disagree.
    const clock = this.engine.clockMs === null ? 0 : this.engine.clockMs / 1000;
    const t = Math.max(this.now(), clock);
    const heading = this.compass.heading(); // magnetic, as the turns between fixes compare it
    const fix = { t, lat, lon, accuracy_m };
    const fed = heading === null ? fix : { ...fix, heading_deg: trueHeading(heading, lat, lon, new Date()) };
    this.lastFed = { at: Date.now(), heading };
    clearTimeout(this.turnTimer);
    this.turnTimer = null;
    try {
      const events = this.engine.feed(fed);
      this.state.fed = [...this.state.fed, fed].slice(-KEPT_FIXES);
      this.state.orientation = this.orientation();
      this.apply(events);
    } catch (err) {
      console.warn("fix refused", err);
    }
    return fix;
  }

  /**
   * The last GPS position again, with the compass's heading now (13.2: turns between fixes).
   * Only while that position is recent: an old one must not keep zones' timers going.
   */
  feedRepeat() {
    const last = this.lastGps;
    if (!last || this.now() - last.t > LOST_AFTER_S) return;
    this.feedFix(last.lat, last.lon, last.accuracy_m);
    this.onChange(this.state);
  }

  /** A compass reading: fed when it turned TURN_MIN_DEG or more, at most every TURN_EVERY_MS. */
  compassTurned(heading) {
    const before = this.lastFed?.heading ?? null;
    if (before !== null && Math.abs(signedAngle(heading - before)) < TURN_MIN_DEG) return;
    const wait = this.lastFed ? this.lastFed.at + TURN_EVERY_MS - Date.now() : 0;
    if (wait > 0) {
      // Too soon: the latest reading goes in when the time comes.
      if (this.turnTimer === null) this.turnTimer = setTimeout(() => this.feedRepeat(), wait);
      return;
    }
    this.feedRepeat();
  }

  /** Turn the compass on (from a tap); resolves to its status. */
  async useCompass() {
    const status = await this.compass.start();
    this.state.compass = status;
    this.onChange(this.state);
    return status;
  }

  /** Which way the engine turns sounds now: {source: "compass" | "course" | "none", deg}. */
  orientation() {
    const l = this.engine.listener;
    // The engine's heading is none whenever the last fix carried no compass reading (13.2).
    if (l.heading !== null) return { source: "compass", deg: l.heading };
    if (l.course !== null) return { source: "course", deg: l.course };
    return { source: "none", deg: null };
  }

  apply(events) {
    if (!events.length) return;
    for (const e of events) {
      this.state.events.push(eventJson(e));
      const stop = this.stops.get(e.stop);
      const layer = this.layers.get(e.stop);
      const obj = this.objects.get(e.stop);
      if (e.type === "spatial") {
        // The gain already holds the distance law and the ducking (14.3): not ducked again here.
        this.audio.placeSound(e.stop, e.db, e.azimuth);
        this.state.placed[e.stop] = { db: e.db, azimuth: e.azimuth, distance_m: e.distance_m };
        continue;
      }
      if (obj) {
        if (e.type === "play") this.audio.playBed(e.stop, mediaSha(obj.audio), -60, { loop: obj.loop, place: true });
        else if (e.type === "end") {
          this.audio.endBed(e.stop, OBJECT_FADE_S);
          delete this.state.placed[e.stop];
        }
        continue;
      }
      if (!stop && !layer) continue;
      if (e.type === "play") {
        if (layer) this.audio.playBed(e.stop, mediaSha(layer.audio));
        else if (stop.rules.replay === "loop") this.audio.playBed(e.stop, mediaSha(this.cue(e.stop).audio), 0);
        else {
          if (!this.clock.paused) this.audio.playNarration(e.stop, mediaSha(this.cue(e.stop).audio), 0, Boolean(stop.position));
          this.state.playing = e.stop;
          this.state.started.push(e.stop);
          this.showOnLockScreen(stop);
        }
      } else if (e.type === "end") {
        if (this.state.playing === e.stop && !layer && stop.rules.replay !== "loop") {
          this.audio.stopNarration();
          this.state.playing = null;
          delete this.state.placed[e.stop];
          if ("mediaSession" in navigator) navigator.mediaSession.playbackState = "none";
        } else {
          this.audio.endBed(e.stop);
          delete this.state.beds[e.stop];
        }
      } else if (e.type === "gain") {
        this.audio.setBedGain(e.stop, e.db);
        this.state.beds[e.stop] = e.db;
      }
    }
    this.state.queue = this.engine.snapshot().queue;
    this.state.narration = this.narration();
    this.save();
    this.onChange(this.state);
  }

  showOnLockScreen(stop) {
    if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") return;
    const languages = [this.language, ...this.manifest.trail.languages];
    const text = (texts) => languages.map((l) => texts[l]).find(Boolean) ?? Object.values(texts)[0] ?? "";
    navigator.mediaSession.metadata = new MediaMetadata({
      title: text(stop.title),
      artist: text(this.manifest.trail.title),
      album: this.manifest.publisher,
    });
    navigator.mediaSession.playbackState = "playing";
  }

  /** Leave the page: everything stops, the walk stays saved to be reopened. */
  detach() {
    this.save();
    this.stopWatch();
    this.compass.stop();
    clearTimeout(this.turnTimer);
    clearInterval(this.timer);
    document.removeEventListener("visibilitychange", this.onHide);
    window.removeEventListener("pagehide", this.onPageHide);
    this.audio.onInterruption = () => {};
    this.audio.onContext = () => {};
    this.audio.stopAll();
  }

  /** Stop the walk: no more positions, everything audible ends now, and it is forgotten. */
  stop() {
    this.detach();
    this.clock.resume();
    if (!this.engine.finished) this.apply(this.engine.finish(Math.max(this.now(), (this.engine.clockMs ?? 0) / 1000)));
    clearWalk(this.slug);
    this.state.playing = null;
    this.onChange(this.state);
  }
}

/** "Listen from home": stops played by hand, one narration at a time, no position used. */
export class HomeSession {
  constructor({ manifest, language, audio, onChange }) {
    this.manifest = manifest;
    this.language = language;
    this.audio = audio;
    this.onChange = onChange;
    this.state = { mode: "home", playing: null, started: [], queue: [], beds: {}, events: [] };
    this.timer = null;
  }

  /** Play one stop's narration now (stopping the current one). */
  play(key) {
    const stop = this.manifest.stops.find((s) => s.key === key);
    const cue = pickCue(stop, this.language, this.manifest.trail.languages);
    if (!cue) return;
    this.audio.playNarration(key, mediaSha(cue.audio));
    this.state.playing = key;
    this.state.started.push(key);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stopPlaying(), cue.duration_s * 1000);
    this.onChange(this.state);
  }

  /** Stop what plays. */
  stopPlaying() {
    clearTimeout(this.timer);
    this.audio.stopNarration();
    this.state.playing = null;
    this.onChange(this.state);
  }

  /** End the session. */
  stop() {
    this.stopPlaying();
  }
}
