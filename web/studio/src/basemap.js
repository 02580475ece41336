// A Leaflet map with the configured base tiles; offline it keeps a plain background.
import L from "./leaflet.js";
import "@geoman-io/leaflet-geoman-free";
import { state } from "./state.js";

/** A map in ``node`` centred on the given points (or Charleroi when there are none). */
export function makeMap(node, { label }) {
  const map = L.map(node, { zoomControl: true, keyboard: true, attributionControl: true });
  node.setAttribute("aria-label", label);
  node.setAttribute("role", "application");
  if (state.config.tile_url) {
    L.tileLayer(state.config.tile_url, {
      attribution: state.config.tile_attribution,
      maxZoom: 20,
      maxNativeZoom: 19,
      crossOrigin: true,
    }).addTo(map);
  }
  // Mediators size zones in metres: a scale bar makes the map readable without tiles too.
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  map.setView([50.4036, 4.395], 17);
  return map;
}

export { L };
