// A walk: geolocation fixes (kept on the phone) feed the trigger engine; its events drive the
// audio, the lock-screen metadata and the published player state.
import { TriggerEngine, eventJson, pickCue, trailFromManifest } from "@baladeur/engine";
import { GpsWatch, usableAccuracyM } from "./gps.js";
import { REWIND_S, SAVE_EVERY_MS, WalkClock, clearWalk, saveWalk } from "./resume.js";

function mediaSha(path) {
  return path.slice("media/".length).split(".")[0];
}

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
    const { quality, suggestManual } = this.gps.update(this.state.fix, this.now());
    const changed = quality !== this.state.gps || suggestManual !== this.state.suggestManual;
    this.state.gps = quality;
    this.state.suggestManual = suggestManual;
    this.state.narration = this.narration();
    if (changed || this.state.playing) this.onChange(this.state); // the story's position moves on
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
      const audible = this.state.playing || Object.keys(this.state.beds).length;
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
    const playing = this.engine.state().playing;
    if (playing) {
      const at = Math.max(0, this.now() - playing.startMs / 1000);
      this.audio.playNarration(playing.stop, mediaSha(this.cue(playing.stop).audio), at);
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
    // The engine refuses time going backwards; the phone's clock and fix times may disagree.
    const clock = this.engine.clockMs === null ? 0 : this.engine.clockMs / 1000;
    const t = Math.max(this.now(), clock);
    this.state.fix = { t, lat: latitude, lon: longitude, accuracy_m: accuracy };
    this.state.geoError = null;
    try {
      this.apply(this.engine.feed({ t, lat: latitude, lon: longitude, accuracy_m: accuracy }));
    } catch (err) {
      console.warn("fix refused", err);
    }
    const { quality, suggestManual } = this.gps.update(this.state.fix, this.now());
    this.state.gps = quality;
    this.state.suggestManual = suggestManual;
    this.onChange(this.state);
  }

  apply(events) {
    if (!events.length) return;
    for (const e of events) {
      this.state.events.push(eventJson(e));
      const stop = this.stops.get(e.stop);
      const layer = this.layers.get(e.stop);
      // Sound objects (bundle format 1.2) are not rendered by this player yet: their events
      // are kept in the state, nothing is played for them.
      if (!stop && !layer) continue;
      if (e.type === "play") {
        if (layer) this.audio.playBed(e.stop, mediaSha(layer.audio));
        else if (stop.rules.replay === "loop") this.audio.playBed(e.stop, mediaSha(this.cue(e.stop).audio), 0);
        else {
          if (!this.clock.paused) this.audio.playNarration(e.stop, mediaSha(this.cue(e.stop).audio));
          this.state.playing = e.stop;
          this.state.started.push(e.stop);
          this.showOnLockScreen(stop);
        }
      } else if (e.type === "end") {
        if (this.state.playing === e.stop && !layer && stop.rules.replay !== "loop") {
          this.audio.stopNarration();
          this.state.playing = null;
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
