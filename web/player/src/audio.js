// Web Audio output of the trigger events: one narration at a time, sound beds looping with
// their distance gain (ramped over a second) and faded out over two seconds after their end.
// Placed sounds (sound objects, narrations with a position) go through a panner (space.js).
import { azimuthOf, makePanner, panningModel, turnPanner } from "./space.js";

const RAMP_S = 1;
const FADE_S = 2;
/** Seconds with nothing playing after which the audio context is closed (it reopens on demand). */
export const IDLE_CLOSE_S = 60;

/** dB to a linear amplitude factor. */
export function dbToGain(db) {
  return 10 ** (db / 20);
}

/** Plays what the engine says; decodes each media file once. */
export class AudioOutput {
  constructor(loadBlob) {
    this.loadBlob = loadBlob; // sha256 -> Promise<Blob>
    this.ctx = null;
    this.buffers = new Map(); // AudioBuffers belong to no context: they outlive a closed one
    this.narration = null; // {key, source, startedAt, offset, panner}
    this.beds = new Map(); // key -> {source, gain, db, panner, azimuth}; sound objects are beds with a panner
    this.headphones = false; // HRTF for placed sounds when true, equal-power stereo otherwise
    this.onInterruption = () => {}; // (interrupted: boolean) when the system takes the audio away or gives it back
    this.onContext = () => {}; // (state) when the context opens, closes or changes state
    this.interrupted = false;
    this.idleTimer = null;
    document.addEventListener("visibilitychange", () => {
      // Back on screen: ask for the audio again (a call or the system may have suspended it).
      if (document.visibilityState === "visible" && this.ctx?.state === "suspended") this.ctx.resume().catch(() => {});
    });
  }

  /** The context's state for the page's report: "none" when closed for lack of use. */
  contextState() {
    return this.ctx ? this.ctx.state : "none";
  }

  /** Open the context if it was never opened or was closed when idle. */
  ensure() {
    if (this.ctx) return this.ctx;
    const ctx = new AudioContext();
    this.ctx = ctx;
    ctx.addEventListener("statechange", () => {
      if (this.ctx !== ctx) return;
      // "suspended" or "interrupted" (Safari, during a call) that the player did not ask for.
      const interrupted = ctx.state !== "running" && ctx.state !== "closed";
      if (interrupted !== this.interrupted && (interrupted ? this.wasRunning : true)) {
        this.interrupted = interrupted;
        this.onInterruption(interrupted);
      }
      if (ctx.state === "running") this.wasRunning = true;
      this.onContext(ctx.state);
    });
    this.wasRunning = false;
    this.onContext(ctx.state);
    this.idle();
    return ctx;
  }

  /** Create (or resume) the audio context; call from a tap, as browsers ask. */
  async unlock() {
    this.ensure();
    if (this.ctx.state === "suspended") await this.ctx.resume().catch(() => {});
  }

  /** (Re)start the idle countdown: with nothing playing for IDLE_CLOSE_S, close the context. */
  idle() {
    clearTimeout(this.idleTimer);
    if (this.narration || this.beds.size) return;
    this.idleTimer = setTimeout(() => {
      if (this.narration || this.beds.size || !this.ctx) return;
      const ctx = this.ctx;
      this.ctx = null;
      this.interrupted = false;
      ctx.close().catch(() => {});
      this.onContext("none");
    }, IDLE_CLOSE_S * 1000);
  }

  async buffer(sha) {
    if (!this.buffers.has(sha)) {
      this.buffers.set(
        sha,
        this.loadBlob(sha)
          .then((blob) => blob.arrayBuffer())
          .then((data) => this.ensure().decodeAudioData(data))
          .catch(() => null), // an undecodable file stays silent; the walk goes on
      );
    }
    return this.buffers.get(sha);
  }

  /** Decode ahead the files a walk will need. */
  preload(shas) {
    for (const sha of shas) this.buffer(sha);
  }

  /**
   * Start a narration (stopping any other), offset seconds into it; `place` routes it through
   * a panner, for a stop with a position (its level stays as it is: semantics 15.1).
   */
  async playNarration(key, sha, offset = 0, place = false) {
    this.stopNarration();
    const ctx = this.ensure();
    clearTimeout(this.idleTimer);
    const panner = place ? makePanner(ctx, this.headphones) : null;
    panner?.connect(ctx.destination);
    const token = { key, source: null, startedAt: ctx.currentTime - offset, offset, panner, azimuth: null, placed: false };
    this.narration = token;
    const buffer = await this.buffer(sha);
    if (this.narration !== token || !buffer || this.ctx !== ctx) return;
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(panner ?? ctx.destination);
    source.start(0, Math.max(0, offset));
    token.source = source;
    token.startedAt = ctx.currentTime - offset;
  }

  /** Seconds into the current narration, or null. */
  narrationTime() {
    return this.narration && this.ctx ? this.ctx.currentTime - this.narration.startedAt : null;
  }

  /** What the audio was last told to play: {key, offset} (offset in seconds), or null. */
  told() {
    return this.narration ? { key: this.narration.key, offset: this.narration.offset } : null;
  }

  stopNarration() {
    if (this.narration?.source) this.narration.source.stop();
    this.narration = null;
    this.idle();
  }

  /**
   * Start a bed at a gain (dB): looping unless `loop` is false (a sound object played once);
   * `place` puts a panner after its gain (a sound object), centred until placeSound().
   */
  async playBed(key, sha, db = -40, { loop = true, place = false } = {}) {
    this.endBed(key, 0);
    const ctx = this.ensure();
    clearTimeout(this.idleTimer);
    const gain = ctx.createGain();
    gain.gain.value = dbToGain(db);
    const panner = place ? makePanner(ctx, this.headphones) : null;
    if (panner) gain.connect(panner).connect(ctx.destination);
    else gain.connect(ctx.destination);
    const bed = { source: null, gain, db, panner, azimuth: null, placed: false };
    this.beds.set(key, bed);
    const buffer = await this.buffer(sha);
    if (this.beds.get(key) !== bed || !buffer || this.ctx !== ctx) return;
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.loop = loop;
    source.connect(gain);
    source.start();
    bed.source = source;
  }

  /** Ramp a bed to a new gain (dB) over about a second. */
  setBedGain(key, db) {
    const bed = this.beds.get(key);
    if (!bed || !this.ctx) return;
    bed.db = db;
    const now = this.ctx.currentTime;
    bed.gain.gain.cancelScheduledValues(now);
    bed.gain.gain.setValueAtTime(bed.gain.gain.value, now);
    bed.gain.gain.linearRampToValueAtTime(dbToGain(db), now + RAMP_S);
  }

  /**
   * Where a placed sound is heard from and how loud (a `spatial` event): a sound object's
   * gain and panner, or the positioned narration's panner (its gain stays 0 dB). The first
   * placement after a start is set at once (the sound appears where it is); later ones ramp
   * over about a second. Returns false when no such sound plays.
   */
  placeSound(key, db, azimuth) {
    if (!this.ctx) return false;
    const now = this.ctx.currentTime;
    const bed = this.beds.get(key);
    const sound = bed?.panner ? bed : this.narration?.key === key && this.narration.panner ? this.narration : null;
    if (!sound) return false;
    if (sound === bed) this.setBedGain(key, db);
    sound.azimuth = azimuth;
    turnPanner(sound.panner, azimuth, now, sound.placed ? undefined : 0);
    sound.placed = true;
    return true;
  }

  /** Headphones (HRTF) or not (equal-power stereo) for every placed sound, now and later. */
  setHeadphones(on) {
    this.headphones = Boolean(on);
    const model = panningModel(this.headphones);
    for (const bed of this.beds.values()) if (bed.panner) bed.panner.panningModel = model;
    if (this.narration?.panner) this.narration.panner.panningModel = model;
  }

  /**
   * What Web Audio holds now for each placed sound, read back from its nodes: {db, azimuth,
   * model} (db rounded to 0.1, azimuth to 0.1 degree; a positioned narration's db is 0).
   */
  placedNodes() {
    const out = {};
    const read = (key, panner, gain) => {
      const v = gain ? gain.gain.value : 1;
      out[key] = {
        db: v > 0 ? Math.round(200 * Math.log10(v)) / 10 : null,
        azimuth: azimuthOf(panner),
        model: panner.panningModel,
      };
    };
    for (const [key, bed] of this.beds) if (bed.panner) read(key, bed.panner, bed.gain);
    if (this.narration?.panner) read(this.narration.key, this.narration.panner, null);
    return out;
  }

  /** Fade a bed out and stop it. */
  endBed(key, fade = FADE_S) {
    const bed = this.beds.get(key);
    if (!bed) return;
    this.beds.delete(key);
    this.idle();
    if (!this.ctx) return;
    const now = this.ctx.currentTime;
    bed.gain.gain.cancelScheduledValues(now);
    bed.gain.gain.setValueAtTime(bed.gain.gain.value, now);
    bed.gain.gain.linearRampToValueAtTime(0, now + fade);
    if (bed.source) bed.source.stop(now + fade);
  }

  /** Target gains of the audible beds (sound objects aside), in dB. */
  bedGains() {
    return Object.fromEntries([...this.beds].filter(([, bed]) => !bed.panner).map(([key, bed]) => [key, bed.db]));
  }

  /** Stop everything. */
  stopAll() {
    this.stopNarration();
    for (const key of [...this.beds.keys()]) this.endBed(key, 0.2);
  }
}
