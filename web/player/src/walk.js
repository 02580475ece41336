// A walk: geolocation fixes (kept on the phone) feed the trigger engine; its events drive the
// audio, the lock-screen metadata and the published player state.
import { TriggerEngine, eventJson, pickCue, trailFromManifest } from "@baladeur/engine";

function mediaSha(path) {
  return path.slice("media/".length).split(".")[0];
}

/** Runs the trigger engine on live positions and plays what it says. */
export class WalkSession {
  constructor({ manifest, language, audio, onChange, now = () => Date.now() / 1000 }) {
    this.manifest = manifest;
    this.language = language;
    this.audio = audio;
    this.onChange = onChange;
    this.now = now;
    this.engine = new TriggerEngine(trailFromManifest(manifest, language));
    this.stops = new Map(manifest.stops.map((s) => [s.key, s]));
    this.layers = new Map(manifest.ambience.map((a) => [a.key, a]));
    this.state = { mode: "walk", playing: null, queue: [], started: [], events: [], beds: {}, fix: null, geoError: null };
    this.watch = null;
    this.timer = null;
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
    this.watch = navigator.geolocation.watchPosition(
      (pos) => this.onPosition(pos),
      (err) => {
        this.state.geoError = err.code === err.PERMISSION_DENIED ? "denied" : "unavailable";
        this.onChange(this.state);
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 },
    );
    this.timer = setInterval(() => this.apply(this.engine.tick(this.now())), 500);
    this.onChange(this.state);
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
          this.audio.playNarration(e.stop, mediaSha(this.cue(e.stop).audio));
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

  /** Stop the walk: no more positions, everything audible ends now. */
  stop() {
    if (this.watch !== null) navigator.geolocation.clearWatch(this.watch);
    clearInterval(this.timer);
    this.watch = null;
    if (!this.engine.finished) this.apply(this.engine.finish(Math.max(this.now(), (this.engine.clockMs ?? 0) / 1000)));
    this.audio.stopAll();
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
