// Sound objects on the map: a speaker where each sound is, its audible radius dashed around it
// and, on the selected one, a square handle on the circle's edge. Dragging the speaker or the
// handle reports the new place to the editor, which saves it.
import { ElementIcon, L, eastOf } from "./basemap.js";
import { h } from "./dom.js";

export const SOUND_COLOURS = { idle: "#6b3fa0", selected: "#b5541c" };
// How a kind of placed thing looks: sounds (a speaker, dashed radius) or ambience (its own
// colour and glyph, a filled area); an ambience drawn as a polygon is shown, not dragged.
const SOUND_STYLE = { colours: SOUND_COLOURS, glyph: "♫", icon: "sound-icon", dashArray: "6 6", fillOpacity: 0.06 };

const round = (x) => Math.round(x * 1e7) / 1e7;

function speaker(label, selected, style = SOUND_STYLE) {
  return new ElementIcon({
    iconSize: [30, 30],
    iconAnchor: [15, 15],
    className: `${style.icon}${selected ? " selected" : ""}`,
    build: () => h("div", {}, h("span", { class: "glyph", "aria-hidden": "true" }, style.glyph), h("span", { class: "sound-label" }, label)),
  });
}

const HANDLE = new ElementIcon({ iconSize: [14, 14], iconAnchor: [7, 7], className: "radius-handle", build: () => h("div", {}) });

export class ObjectLayers {
  /** callbacks: onClick(obj, event), onMove(obj, [lon, lat]), onResize(obj, metres). */
  constructor(map, callbacks, style = SOUND_STYLE) {
    this.map = map;
    this.callbacks = callbacks;
    this.style = style;
    this.entries = new Map();
    this.selected = null;
  }

  /** Draw every object (``label(obj)`` is its name on the map); the selection is kept. */
  draw(objects, label) {
    for (const e of this.entries.values()) this.removeEntry(e);
    this.entries.clear();
    for (const obj of objects) this.add(obj, label(obj));
    if (this.selected !== null && this.entries.has(this.selected)) this.select(this.selected);
  }

  add(obj, label) {
    const at = [obj.position[1], obj.position[0]];
    const look = { color: this.style.colours.idle, weight: 2, dashArray: this.style.dashArray, fillOpacity: this.style.fillOpacity, interactive: false };
    // A polygon area (``obj.ring``, [lat, lon] points) is drawn as it is; a circle can be moved.
    const circle = obj.ring ? L.polygon(obj.ring, look) : L.circle(at, { ...look, radius: obj.radius_m });
    const marker = L.marker(at, { icon: speaker(label, false, this.style), title: label, alt: label, keyboard: true, draggable: false, riseOnHover: true });
    const entry = { obj, label, circle, marker, handle: null };
    marker.on("click", (e) => {
      L.DomEvent.stopPropagation(e);
      this.callbacks.onClick(entry.obj, e);
    });
    marker.on("drag", () => {
      circle.setLatLng(marker.getLatLng());
      entry.handle?.setLatLng(eastOf([marker.getLatLng().lat, marker.getLatLng().lng], circle.getRadius()));
    });
    marker.on("dragend", () => {
      const p = marker.getLatLng();
      this.callbacks.onMove(entry.obj, [round(p.lng), round(p.lat)]);
    });
    circle.addTo(this.map);
    marker.addTo(this.map);
    this.entries.set(this.keyOf(obj), entry);
  }

  keyOf(obj) {
    return obj.id ?? "new";
  }

  removeEntry(e) {
    e.circle.remove();
    e.marker.remove();
    e.handle?.remove();
  }

  /** Forget a not yet saved object. */
  dropDraft() {
    const e = this.entries.get("new");
    if (e) this.removeEntry(e);
    this.entries.delete("new");
    if (this.selected === "new") this.selected = null;
  }

  /** Highlight one object (by id, or "new"), make it draggable and give it a radius handle. */
  select(key, editable = true) {
    this.unselect();
    const e = this.entries.get(key);
    if (!e) return;
    this.selected = key;
    e.circle.setStyle({ color: this.style.colours.selected });
    e.marker.setIcon(speaker(e.label, true, this.style));
    if (!editable || e.obj.ring) return;
    e.marker.dragging.enable();
    const at = e.marker.getLatLng();
    e.handle = L.marker(eastOf([at.lat, at.lng], e.circle.getRadius()), { icon: HANDLE, draggable: true, keyboard: false, title: "↔" });
    e.handle.on("drag", () => e.circle.setRadius(Math.max(1, this.map.distance(e.marker.getLatLng(), e.handle.getLatLng()))));
    e.handle.on("dragend", () => {
      const metres = Math.max(1, Math.round(e.circle.getRadius()));
      e.circle.setRadius(metres);
      e.handle.setLatLng(eastOf([e.marker.getLatLng().lat, e.marker.getLatLng().lng], metres));
      this.callbacks.onResize(e.obj, metres);
    });
    e.handle.addTo(this.map);
  }

  unselect() {
    const e = this.entries.get(this.selected);
    this.selected = null;
    if (!e) return;
    e.circle.setStyle({ color: this.style.colours.idle });
    e.marker.setIcon(speaker(e.label, false, this.style));
    e.marker.dragging?.disable();
    e.handle?.remove();
    e.handle = null;
  }

  /** Show an object's place and radius as the form holds them (after typing or a reload). */
  place(key, obj) {
    const e = this.entries.get(key);
    if (!e) return;
    e.obj = obj;
    if (obj.ring) return;
    const at = [obj.position[1], obj.position[0]];
    e.marker.setLatLng(at);
    e.circle.setLatLng(at);
    e.circle.setRadius(obj.radius_m);
    e.handle?.setLatLng(eastOf(at, obj.radius_m));
  }

  /** The Leaflet layers (to fit the map to them). */
  layers() {
    return [...this.entries.values()].map((e) => e.circle);
  }
}
