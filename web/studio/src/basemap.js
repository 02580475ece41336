// A Leaflet map with the configured base tiles; offline it keeps a plain background.
import L from "./leaflet.js";
import "@geoman-io/leaflet-geoman-free";
import { h } from "./dom.js";
import { state, t } from "./state.js";

/** The map's credits, as text: Leaflet's own attribution control reads its strings as HTML. */
function credits(text) {
  const control = L.control({ position: "bottomright" });
  control.onAdd = () => {
    const node = h("div", { class: "leaflet-control-attribution leaflet-control", id: "map-credits" }, h("a", { href: "https://leafletjs.com" }, "Leaflet"), text ? ` | ${text}` : null);
    L.DomEvent.disableClickPropagation(node);
    return node;
  };
  return control;
}

/** A map in ``node`` centred on the given points (or Charleroi when there are none). */
export function makeMap(node, { label }) {
  const map = L.map(node, { zoomControl: true, keyboard: true, attributionControl: false });
  node.setAttribute("aria-label", label);
  node.setAttribute("role", "application");
  if (state.config.tile_url) {
    map.baseTiles = L.tileLayer(state.config.tile_url, {
      maxZoom: 20,
      maxNativeZoom: 19,
      crossOrigin: true,
    }).addTo(map);
  }
  credits(state.config.tile_url ? state.config.tile_attribution : "").addTo(map);
  // Mediators size zones in metres: a scale bar makes the map readable without tiles too.
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  map.setView([50.4036, 4.395], 17);
  // Panels above or below the map grow and shrink (a place found, a notice): Leaflet only
  // follows the window's size, so the map would keep a stale size and an off-centre view.
  new ResizeObserver(() => map.invalidateSize({ animate: false })).observe(node);
  return map;
}

/** Show ``node`` over the map in a corner, as a Leaflet control: what happens in it (typing,
 * clicks, scrolling) stays in it rather than panning or zooming the map ("-" zooms out). */
export function onMap(map, node, position) {
  const control = L.control({ position });
  control.onAdd = () => {
    node.classList.add("leaflet-control");
    L.DomEvent.disableClickPropagation(node);
    L.DomEvent.disableScrollPropagation(node);
    L.DomEvent.on(node, "keydown keyup keypress", L.DomEvent.stopPropagation);
    return node;
  };
  control.addTo(map);
  return control;
}

/** A line over the ``map`` that says when it has no background, and how to give it one: no tile
 * server configured (BALADEUR_TILE_URL), or tiles that cannot be loaded (offline). */
export function backgroundNotice(map) {
  const node = h("p", { class: "map-notice", id: "map-notice", role: "status", hidden: true });
  const say = (key) => {
    node.textContent = t(key);
    node.hidden = false;
  };
  if (!map.baseTiles) say("noTiles");
  else {
    let loaded = false;
    map.baseTiles.on("tileload", () => {
      loaded = true;
      node.hidden = true;
    });
    map.baseTiles.on("tileerror", () => loaded || say("tilesFailed"));
  }
  return node;
}

/** A marker icon whose element ``build()`` makes with h(): its words stay text (Leaflet's
 * divIcon would read a string as HTML). */
export const ElementIcon = L.Icon.extend({
  createIcon() {
    const node = this.options.build();
    this._setIconStyles(node, "icon");
    return node;
  },
  createShadow() {
    return null;
  },
});

/** The point ``metres`` east of [lat, lon] (for a radius handle; exact enough within 5 km). */
export function eastOf([lat, lon], metres) {
  return [lat, lon + metres / (111320 * Math.cos((lat * Math.PI) / 180))];
}

export { L };
