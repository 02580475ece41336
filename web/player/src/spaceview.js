// The walk's "Now around you" panel: which orientation turns the sounds (in words), the compass
// and headphones controls, and each placed sound with its side and level in words.
import { isolated } from "./content.js";
import { relativeWords } from "./guidance.js";
import { parts, t } from "./i18n.js";
import { fill, h } from "./ui.js";

// Levels in words, never in decibels (the player shows no dB figure): the engine's gain of a
// sound object, at or above these, is "close", then "a little further", else "far away".
const NEAR_DB = -10;
const MID_DB = -25;

/** The words for a sound's level in dB. */
export function levelWords(db) {
  return t(db >= NEAR_DB ? "level_near" : db >= MID_DB ? "level_mid" : "level_far");
}

/** The words for a sound's side: relative to the orientation, or "no direction" without one. */
export function sideWords(azimuth) {
  return azimuth === null ? t("noDirection") : relativeWords(azimuth);
}

/** Whether a trail places any sound (format 1.2): otherwise the panel is not shown. */
export function placesSounds(manifest) {
  return (manifest.objects ?? []).length > 0 || manifest.stops.some((s) => s.position);
}

/** The panel; `onCompass` and `onHeadphones(on)` are the walk's. */
export class SpacePanel {
  constructor({ manifest, titleOf, headphones, onCompass, onHeadphones }) {
    this.manifest = manifest;
    this.titleOf = titleOf; // key -> the sound's or story's title ({text, lang}) in the story language
    this.objects = new Set((manifest.objects ?? []).map((o) => o.key));
    this.source = h("p", { id: "orientation", class: "orientation", "aria-live": "polite" }, t("dirSource_none"));
    this.compassNote = h("p", { id: "compass-note", class: "small", role: "status", hidden: true });
    this.compassButton = h("button", { type: "button", class: "btn secondary", id: "use-compass", onclick: () => onCompass() }, t("useCompass"));
    const phones = h("input", { type: "checkbox", id: "headphones", checked: headphones });
    phones.addEventListener("change", () => onHeadphones(phones.checked));
    this.list = h("ul", { id: "around", class: "around" });
    this.node = h(
      "section",
      { class: "space", id: "space", "aria-labelledby": "space-title" },
      h("h3", { id: "space-title" }, t("spaceTitle")),
      this.source,
      this.list,
      this.compassButton,
      this.compassNote,
      h("label", { class: "check" }, phones, t("headphones")),
    );
    this.shown = null;
  }

  /** Take the walk's state: orientation, compass status and the placed sounds. */
  update(state) {
    const source = state.orientation?.source ?? "none";
    const line = t(`dirSource_${source}`);
    if (this.source.textContent !== line) this.source.textContent = line;
    this.source.dataset.source = source;
    const compass = state.compass ?? "off";
    this.compassButton.hidden = compass !== "off";
    this.compassNote.hidden = compass === "off";
    if (compass !== "off") this.compassNote.textContent = t(`compass_${compass}`);
    this.compassNote.dataset.status = compass;
    const placed = Object.entries(state.placed ?? {});
    const key = JSON.stringify([placed, document.documentElement.lang]);
    if (key === this.shown) return;
    this.shown = key;
    if (!placed.length) {
      fill(this.list, h("li", { class: "muted" }, t("aroundNone")));
      return;
    }
    fill(
      this.list,
      placed.map(([k, p]) =>
        h(
          "li",
          {
            "data-key": k,
            "data-db": String(p.db),
            "data-azimuth": p.azimuth === null ? "" : String(p.azimuth),
            "data-distance": String(p.distance_m),
          },
          // The title keeps its own language and direction inside the interface's sentence.
          this.objects.has(k)
            ? parts("aroundLine", { s: isolated(this.titleOf(k)), w: sideWords(p.azimuth), l: levelWords(p.db) })
            : parts("aroundStory", { s: isolated(this.titleOf(k)), w: sideWords(p.azimuth) }),
        ),
      ),
    );
  }
}
