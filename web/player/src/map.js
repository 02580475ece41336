// An offline map drawn from the bundle's geometry: route, zones, stop numbers and the
// visitor's position, in SVG, on a plain background or over the release's base map tiles
// (basemap.js puts them under the drawing).

const NS = "http://www.w3.org/2000/svg";
const W = 360;
const H = 300;
const PAD = 18;
const M_PER_DEG = 111195;

function el(name, attrs, parent) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

/** Draws a trail and moves the visitor's dot. */
export class TrailMap {
  constructor(manifest, label) {
    const [west, south, east, north] = manifest.trail.bbox;
    this.lat0 = (south + north) / 2;
    this.kx = Math.cos((this.lat0 * Math.PI) / 180);
    const wM = Math.max(1, (east - west) * this.kx * M_PER_DEG);
    const hM = Math.max(1, (north - south) * M_PER_DEG);
    this.scale = Math.min((W - 2 * PAD) / wM, (H - 2 * PAD) / hM); // px per metre
    this.west = west - (W / this.scale / M_PER_DEG / this.kx - (east - west)) / 2;
    this.north = north + (H / this.scale / M_PER_DEG - (north - south)) / 2;
    this.svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "map", role: "img", "aria-label": label });
    this.bg = el("rect", { x: 0, y: 0, width: W, height: H, class: "map-bg" }, this.svg);
    this.draw(manifest);
  }

  /** The area shown: {west, east, south, north} in degrees and the drawing's width in units. */
  view() {
    return {
      west: this.west,
      east: this.west + W / this.scale / M_PER_DEG / this.kx,
      north: this.north,
      south: this.north - H / this.scale / M_PER_DEG,
      width: W,
    };
  }

  /** Put a layer (base map tiles) above the background and under the trail's drawing. */
  underlay(layer) {
    this.bg.after(layer);
  }

  /** Credit the base map in the map's corner (a text node: never markup). */
  attribute(text) {
    if (!text) return;
    const node = el("text", { x: W - 4, y: H - 5, class: "map-attribution", "text-anchor": "end" }, this.svg);
    node.textContent = text;
  }

  xy(lon, lat) {
    return [(lon - this.west) * this.kx * M_PER_DEG * this.scale, (this.north - lat) * M_PER_DEG * this.scale];
  }

  zone(feature, cls, parent) {
    const g = feature.geometry;
    if (feature.properties.shape === "circle") {
      const [x, y] = this.xy(...g.coordinates);
      el("circle", { cx: x, cy: y, r: Math.max(4, feature.properties.radius_m * this.scale), class: cls }, parent);
      return [x, y];
    }
    const d = g.coordinates.map((ring) => `M${ring.map((p) => this.xy(...p).map((v) => v.toFixed(1)).join(",")).join("L")}Z`).join("");
    el("path", { d, class: cls, "fill-rule": "evenodd" }, parent);
    const ring = g.coordinates[0].slice(0, -1);
    const c = ring.reduce((a, p) => [a[0] + p[0] / ring.length, a[1] + p[1] / ring.length], [0, 0]);
    return this.xy(...c);
  }

  draw(manifest) {
    for (const layer of manifest.ambience) this.zone(layer.zone, "map-ambience", this.svg);
    const route = manifest.trail.route;
    if (route) {
      const points = route.coordinates.map((p) => this.xy(...p).map((v) => v.toFixed(1)).join(",")).join(" ");
      el("polyline", { points, class: "map-route" }, this.svg);
    }
    this.stops = new Map();
    manifest.stops.forEach((stop, i) => {
      const g = el("g", { class: "map-stop", "data-stop": stop.key }, this.svg);
      const [x, y] = this.zone(stop.zone, "map-zone", g);
      el("circle", { cx: x, cy: y, r: 11, class: "map-badge" }, g);
      const text = el("text", { x, y: y + 5, class: "map-num", "text-anchor": "middle" }, g);
      text.textContent = String(i + 1);
      this.stops.set(stop.key, g);
    });
    this.accuracy = el("circle", { r: 0, class: "map-accuracy", visibility: "hidden" }, this.svg);
    this.dot = el("circle", { r: 8, class: "map-me", visibility: "hidden" }, this.svg);
  }

  /** Show the visitor at a position with its accuracy radius (metres). */
  setPosition(lat, lon, accuracy) {
    const [x, y] = this.xy(lon, lat);
    for (const node of [this.dot, this.accuracy]) {
      node.setAttribute("cx", x.toFixed(1));
      node.setAttribute("cy", y.toFixed(1));
      node.setAttribute("visibility", "visible");
    }
    this.accuracy.setAttribute("r", Math.max(8, accuracy * this.scale).toFixed(1));
  }

  /** Mark stops as played or playing. */
  setStatus(statuses) {
    for (const [key, g] of this.stops) g.setAttribute("data-status", statuses[key] ?? "");
  }
}
