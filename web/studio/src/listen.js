// "Hear from a point": a listener on the map, turned by a direction, hears each sound object
// whose audible radius holds it, at the gain and azimuth of the JS engine's own spatial law
// (web/engine/spatial.js, the one port of trails/triggers/spatial.py), through Web Audio.
//
// Panning is a StereoPannerNode (pan = sin(azimuth)): the studio is often heard on laptop
// speakers, where HRTF misleads; a sound behind is heard in the middle, as with the players'
// stereo fallback.
import { locate, newListener, objectGainDb, roundDb, updateListener } from "@baladeur/engine";
import { ElementIcon, L } from "./basemap.js";
import { clear, h } from "./dom.js";
import { formatNumber, formatSigned } from "./format.js";
import { language, t } from "./i18n.js";
import { audioBlob } from "./media.js";
import { pick } from "./ui.js";

const TURN_STEP = 15;
// Seconds for a gain or pan to settle on a new value: moves are heard, never as clicks.
const RAMP_S = 0.15;
const NAMES = ["ahead", "aheadRight", "right", "behindRight", "behind", "behindLeft", "left", "aheadLeft"];

/** Words for an azimuth (0 ahead, 90 right, -90 left): one of eight directions, or "right
 * here" within a metre, where a direction means nothing to a person. */
export function whereWords(azimuth, distanceMm) {
  if (distanceMm < 1000) return t("az_here");
  const sector = Math.round((((azimuth % 360) + 360) % 360) / 45) % 8;
  return t(`az_${NAMES[sector]}`);
}

/** A gain as people read it: one decimal, a real minus sign. */
function dbText(db) {
  return formatSigned(db, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** What one object sounds like from a point facing ``heading``, or null when out of reach. */
export function heardFrom(obj, lat, lon, heading) {
  const listener = newListener();
  // One fix of perfect accuracy carrying the compass heading: the engine's own orientation.
  updateListener(listener, lat, lon, 0, heading);
  const [distanceMm, azimuth] = locate(listener, obj.position);
  if (distanceMm > obj.radius_m * 1000) return null;
  return { distanceMm, azimuth, db: roundDb(objectGainDb(obj, distanceMm)) };
}

export class ListenHere {
  /** ``objects()`` gives the trail's saved sound objects; ``setPlacing(cb)`` waits for a click. */
  constructor(node, map, objects, setPlacing) {
    this.node = node;
    this.map = map;
    this.objects = objects;
    this.setPlacing = setPlacing;
    this.heading = 0;
    this.marker = null;
    this.context = null;
    this.voices = new Map();
    this.render();
    // Leaving the page (another tab, another language) silences it: nothing plays unseen.
    window.addEventListener("studio:leave", () => this.destroy(), { once: true });
  }

  render() {
    this.listenButton = h("button", { type: "button", id: "listen-here", class: "primary", "aria-pressed": "false", onclick: () => this.toggle() }, t("listenHere"));
    this.placeButton = h("button", { type: "button", id: "place-listener", class: "quiet", onclick: () => this.place() }, t("placeListener"));
    this.headingInput = h("input", { type: "number", id: "listener-heading", name: "listener-heading", min: 0, max: 360, step: "any", value: 0, inputmode: "decimal" });
    this.headingInput.addEventListener("input", () => this.turnTo(Number(this.headingInput.value) || 0));
    const turn = (by, label, glyph, id) => h("button", { type: "button", class: "icon", id, "aria-label": label, title: label, onclick: () => this.turnTo(this.heading + by) }, glyph);
    this.heard = h("ul", { class: "heard", id: "heard", "aria-live": "polite" });
    this.node.append(
      h("h2", { id: "listen-title" }, t("listenTitle")),
      h("p", { class: "hint" }, t("listenLead")),
      h("div", { class: "row tight listen-controls" }, this.placeButton, this.listenButton),
      h("div", { class: "field" }, h("label", { for: "listener-heading" }, t("facingDeg")), h("div", { class: "row tight turn" }, turn(-TURN_STEP, t("turnLeft"), "↺", "turn-left"), this.headingInput, turn(TURN_STEP, t("turnRight"), "↻", "turn-right"))),
      this.heard,
    );
    this.update();
  }

  place() {
    this.placeButton.textContent = t("placingListener");
    this.setPlacing(([lon, lat]) => {
      this.placeButton.textContent = t("placeListener");
      this.moveTo(lat, lon);
    });
  }

  moveTo(lat, lon) {
    if (!this.marker) {
      this.marker = L.marker([lat, lon], { icon: this.icon(), draggable: true, keyboard: false, title: t("legendListener"), zIndexOffset: 1000 });
      this.marker.on("drag", () => this.update());
      this.marker.on("dragend", () => this.update());
      this.marker.addTo(this.map);
    } else this.marker.setLatLng([lat, lon]);
    this.update();
  }

  icon() {
    return new ElementIcon({ iconSize: [34, 34], iconAnchor: [17, 17], className: "listener-icon", build: () => h("div", {}, h("span", { class: "arrow", "aria-hidden": "true" }, "➤")) });
  }

  turnTo(degrees) {
    this.heading = ((Math.round(degrees) % 360) + 360) % 360;
    if (document.activeElement !== this.headingInput) this.headingInput.value = this.heading;
    this.update();
  }

  async toggle() {
    if (this.context) return this.stop();
    if (!this.marker) {
      const c = this.map.getCenter();
      this.moveTo(c.lat, c.lng);
    }
    // Created on the click: browsers let a page make sound only after a gesture.
    this.context = new AudioContext();
    this.listenButton.setAttribute("aria-pressed", "true");
    this.listenButton.textContent = t("listening");
    this.update();
  }

  stop() {
    for (const key of [...this.voices.keys()]) this.silence(key);
    this.context?.close();
    this.context = null;
    this.listenButton.setAttribute("aria-pressed", "false");
    this.listenButton.textContent = t("listenHere");
    this.update();
  }

  /** Recompute what is heard (words, values) and follow it with the sound. */
  update() {
    if (this.marker) {
      const arrow = this.marker.getElement()?.querySelector(".arrow");
      // The arrow glyph points right (east): a heading of 0 turns it to point north.
      if (arrow) arrow.style.transform = `rotate(${this.heading - 90}deg)`;
    }
    clear(this.heard);
    if (!this.marker) {
      this.heard.append(h("li", { class: "hint" }, t("noListener")));
      return;
    }
    const { lat, lng } = this.marker.getLatLng();
    this.node.dataset.lat = String(lat);
    this.node.dataset.lon = String(lng);
    this.node.dataset.heading = String(this.heading);
    const audible = new Set();
    for (const obj of this.objects()) {
      const heard = heardFrom(obj, lat, lng, this.heading);
      if (!heard) continue;
      audible.add(obj.id);
      const name = pick(obj.title, language()) || obj.key;
      const pan = Math.sin((heard.azimuth * Math.PI) / 180);
      this.heard.append(
        h(
          "li",
          { dataset: { key: obj.key, db: heard.db, azimuth: heard.azimuth, distanceMm: heard.distanceMm, pan: pan.toFixed(3), playing: String(this.voices.get(obj.id)?.playing ?? false) } },
          t("heardLine", { name, where: whereWords(heard.azimuth, heard.distanceMm), db: dbText(heard.db), m: formatNumber(Math.round(heard.distanceMm / 1000)) }),
        ),
      );
      if (this.context) this.sound(obj, heard.db, pan);
    }
    if (!audible.size) this.heard.append(h("li", { class: "hint", id: "nothing-heard" }, t("nothingHeard")));
    for (const id of [...this.voices.keys()]) if (!audible.has(id)) this.silence(id);
  }

  /** Start or steer the voice of one object. */
  sound(obj, db, pan) {
    const now = this.context.currentTime;
    let voice = this.voices.get(obj.id);
    if (!voice) {
      const gain = this.context.createGain();
      const panner = new StereoPannerNode(this.context);
      gain.gain.value = 0;
      gain.connect(panner).connect(this.context.destination);
      voice = { gain, panner, source: null, playing: false };
      this.voices.set(obj.id, voice);
      this.start(obj, voice, this.context);
    }
    voice.gain.gain.setTargetAtTime(10 ** (db / 20), now, RAMP_S);
    voice.panner.pan.setTargetAtTime(pan, now, RAMP_S);
  }

  async start(obj, voice, context) {
    try {
      const bytes = await (await audioBlob(obj.asset_id)).arrayBuffer();
      const buffer = await context.decodeAudioData(bytes);
      // Listening may have stopped, or the listener moved away, while the audio loaded.
      if (this.context !== context || this.voices.get(obj.id) !== voice) return;
      voice.source = new AudioBufferSourceNode(context, { buffer, loop: obj.loop });
      voice.source.connect(voice.gain);
      voice.source.start();
      voice.playing = true;
      this.heard.querySelector(`li[data-key="${CSS.escape(obj.key)}"]`)?.setAttribute("data-playing", "true");
    } catch (err) {
      console.error("studio: cannot play", obj.key, err);
    }
  }

  silence(id) {
    const voice = this.voices.get(id);
    this.voices.delete(id);
    if (!voice) return;
    try {
      voice.source?.stop(this.context ? this.context.currentTime + RAMP_S * 3 : 0);
      voice.gain.gain.setTargetAtTime(0, this.context?.currentTime ?? 0, RAMP_S);
    } catch {
      // The context is closing: everything stops with it.
    }
  }

  /** Forget the map's listener (leaving the page). */
  destroy() {
    this.stop();
    this.marker?.remove();
  }
}
