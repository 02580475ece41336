// The simulation's ambience: each layer the engine starts plays its loop through Web Audio,
// its gain follows the engine's `gain` events (ramped over about a second, as players do) and
// it fades out over two seconds at its `end`. A list says which layers play and how loud.
import { clear, h } from "./dom.js";
import { formatDb } from "./format.js";
import { t } from "./i18n.js";
import { audioBlob } from "./media.js";

const RAMP_S = 1 / 3; // time constant: about a second to reach a new gain
const FADE_S = 2;

export class AmbienceBeds {
  constructor() {
    this.node = h("ul", { class: "sim-ambience", id: "sim-ambience", "aria-label": t("simAmbience") });
    this.voices = new Map();
    this.context = null;
  }

  /** Open the audio context (on the Play click: browsers allow sound only after a gesture). */
  open() {
    this.context ??= new AudioContext();
    this.node.dataset.audio = this.context.state;
    this.context.resume?.().then(() => (this.node.dataset.audio = this.context?.state ?? "closed"));
  }

  /** A layer starts: its loop is decoded and played at silence until its first gain. */
  play(layer, name) {
    if (!this.context || this.voices.has(layer.key)) return;
    const gain = this.context.createGain();
    gain.gain.value = 0;
    gain.connect(this.context.destination);
    const voice = { gain, source: null, playing: false, db: null, name };
    this.voices.set(layer.key, voice);
    this.start(layer, voice, this.context);
    this.draw();
  }

  async start(layer, voice, context) {
    try {
      const bytes = await (await audioBlob(layer.asset_id)).arrayBuffer();
      const buffer = await context.decodeAudioData(bytes);
      if (this.context !== context || this.voices.get(layer.key) !== voice) return;
      voice.source = new AudioBufferSourceNode(context, { buffer, loop: true });
      voice.source.connect(voice.gain);
      voice.source.start();
      voice.playing = true;
      this.draw();
    } catch (err) {
      console.error("studio: cannot play the ambience", layer.key, err);
    }
  }

  /** The engine's gain for a layer, in dB. */
  gain(key, db) {
    const voice = this.voices.get(key);
    if (!voice || !this.context) return;
    voice.db = db;
    voice.gain.gain.setTargetAtTime(10 ** (db / 20), this.context.currentTime, RAMP_S);
    this.draw();
  }

  /** A layer ends: it fades out, then stops. */
  end(key) {
    const voice = this.voices.get(key);
    this.voices.delete(key);
    if (voice && this.context) {
      const now = this.context.currentTime;
      voice.gain.gain.setTargetAtTime(0, now, FADE_S / 4);
      voice.source?.stop(now + FADE_S);
    }
    this.draw();
  }

  /** Stop every layer and close the context (the playback stopped or ended). */
  close() {
    for (const key of [...this.voices.keys()]) this.end(key);
    this.context?.close();
    this.context = null;
    this.node.dataset.audio = "closed";
    this.draw();
  }

  draw() {
    clear(this.node);
    for (const [key, voice] of this.voices) {
      const level = voice.db === null ? "…" : formatDb(voice.db);
      this.node.append(h("li", { dataset: { key, playing: String(voice.playing), db: voice.db === null ? "" : String(voice.db) } }, `≈ ${t("simAmbiencePlaying", { name: voice.name, level })}`));
    }
  }
}
