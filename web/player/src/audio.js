// Web Audio output of the trigger events: one narration at a time, sound beds looping with
// their distance gain (ramped over a second) and faded out over two seconds after their end.

const RAMP_S = 1;
const FADE_S = 2;

/** dB to a linear amplitude factor. */
export function dbToGain(db) {
  return 10 ** (db / 20);
}

/** Plays what the engine says; decodes each media file once. */
export class AudioOutput {
  constructor(loadBlob) {
    this.loadBlob = loadBlob; // sha256 -> Promise<Blob>
    this.ctx = null;
    this.buffers = new Map();
    this.narration = null; // {key, source, startedAt}
    this.beds = new Map(); // key -> {source, gain, db}
  }

  /** Create (or resume) the audio context; call from a tap, as browsers ask. */
  async unlock() {
    if (!this.ctx) this.ctx = new AudioContext();
    if (this.ctx.state === "suspended") await this.ctx.resume().catch(() => {});
  }

  async buffer(sha) {
    if (!this.buffers.has(sha)) {
      this.buffers.set(
        sha,
        this.loadBlob(sha)
          .then((blob) => blob.arrayBuffer())
          .then((data) => this.ctx.decodeAudioData(data))
          .catch(() => null), // an undecodable file stays silent; the walk goes on
      );
    }
    return this.buffers.get(sha);
  }

  /** Decode ahead the files a walk will need. */
  preload(shas) {
    for (const sha of shas) this.buffer(sha);
  }

  /** Start a narration (stopping any other). */
  async playNarration(key, sha) {
    this.stopNarration();
    const token = { key, source: null, startedAt: this.ctx.currentTime };
    this.narration = token;
    const buffer = await this.buffer(sha);
    if (this.narration !== token || !buffer) return;
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.ctx.destination);
    source.start();
    token.source = source;
    token.startedAt = this.ctx.currentTime;
  }

  /** Seconds into the current narration, or null. */
  narrationTime() {
    return this.narration ? this.ctx.currentTime - this.narration.startedAt : null;
  }

  stopNarration() {
    if (this.narration?.source) this.narration.source.stop();
    this.narration = null;
  }

  /** Start a looping bed at a gain (dB). */
  async playBed(key, sha, db = -40) {
    this.endBed(key, 0);
    const gain = this.ctx.createGain();
    gain.gain.value = dbToGain(db);
    gain.connect(this.ctx.destination);
    const bed = { source: null, gain, db };
    this.beds.set(key, bed);
    const buffer = await this.buffer(sha);
    if (this.beds.get(key) !== bed || !buffer) return;
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.loop = true;
    source.connect(gain);
    source.start();
    bed.source = source;
  }

  /** Ramp a bed to a new gain (dB) over about a second. */
  setBedGain(key, db) {
    const bed = this.beds.get(key);
    if (!bed) return;
    bed.db = db;
    const now = this.ctx.currentTime;
    bed.gain.gain.cancelScheduledValues(now);
    bed.gain.gain.setValueAtTime(bed.gain.gain.value, now);
    bed.gain.gain.linearRampToValueAtTime(dbToGain(db), now + RAMP_S);
  }

  /** Fade a bed out and stop it. */
  endBed(key, fade = FADE_S) {
    const bed = this.beds.get(key);
    if (!bed) return;
    this.beds.delete(key);
    const now = this.ctx.currentTime;
    bed.gain.gain.cancelScheduledValues(now);
    bed.gain.gain.setValueAtTime(bed.gain.gain.value, now);
    bed.gain.gain.linearRampToValueAtTime(0, now + fade);
    if (bed.source) bed.source.stop(now + fade);
  }

  /** Target gains of the audible beds, in dB. */
  bedGains() {
    return Object.fromEntries([...this.beds].map(([key, bed]) => [key, bed.db]));
  }

  /** Stop everything. */
  stopAll() {
    this.stopNarration();
    for (const key of [...this.beds.keys()]) this.endBed(key, 0.2);
  }
}
