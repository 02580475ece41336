// The map page: stops on the map (add, drag, resize, polygons), their order, the selected
// stop's form, the authoring checks and the simulation below the map.
import { all, call, post } from "./api.js";
import { L, makeMap } from "./basemap.js";
import { clear, errorBox, h, toast } from "./dom.js";
import { language, t } from "./i18n.js";
import { renderChecks } from "./checks.js";
import { Simulator } from "./simulate.js";
import { canEdit, orgPath } from "./state.js";
import { renderStopForm } from "./stopform.js";
import { pick, readable } from "./ui.js";

const COLOURS = { idle: "#2f6f6a", selected: "#b5541c" };
const TOOLTIP = { permanent: true, direction: "center", className: "stop-label" };

/** Where a zone is: the circle's centre or the polygon's first-ring average, as [lat, lon]. */
export function zoneCentre(zone) {
  if (zone.type === "circle") return [zone.center[1], zone.center[0]];
  const ring = zone.coordinates[0].slice(0, -1);
  const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  return [lat, lon];
}

/** A Leaflet layer's zone in the API's form. */
export function zoneOfLayer(layer) {
  if (layer instanceof L.Circle) {
    const c = layer.getLatLng();
    return { type: "circle", center: [round(c.lng), round(c.lat)], radius_m: Math.max(1, Math.round(layer.getRadius())) };
  }
  const ring = layer.getLatLngs()[0].map((p) => [round(p.lng), round(p.lat)]);
  ring.push(ring[0]);
  return { type: "polygon", coordinates: [ring] };
}

const round = (x) => Math.round(x * 1e7) / 1e7;

export async function renderMapEditor(body, trail) {
  const page = new MapEditor(body, trail);
  await page.start();
}

class MapEditor {
  constructor(body, trail) {
    this.body = body;
    this.trail = trail;
    this.lang = language();
    this.stops = [];
    this.layers = new Map();
    this.selected = null;
    this.adding = false;
    this.stopsPath = orgPath(`/trails/${trail.id}/stops`);
  }

  async start() {
    const editable = canEdit();
    this.list = h("ol", { class: "stop-list", id: "stop-list" });
    this.addButton = h("button", { type: "button", id: "add-stop", class: "primary", "aria-pressed": "false", onclick: () => this.toggleAdding() }, t("addStop"));
    this.addHint = h("p", { class: "hint", id: "add-hint" }, t("addStopHint"));
    this.checks = h("section", { class: "checks", id: "checks", "aria-labelledby": "checks-title" });
    this.panel = h("aside", { class: "stop-panel", id: "stop-panel", "aria-label": t("stopPanel") });
    this.message = h("div");
    const mapNode = h("div", { class: "map", id: "map" });
    this.simNode = h("section", { class: "simulation", id: "simulation", "aria-labelledby": "sim-title" });
    this.body.append(
      h(
        "div",
        { class: "editor" },
        h(
          "aside",
          { class: "sidebar" },
          h("section", { "aria-labelledby": "stops-title" }, h("h2", { id: "stops-title" }, t("stops")), editable ? [this.addButton, this.addHint] : null, this.message, this.list),
          this.checks,
        ),
        h("div", { class: "map-column" }, mapNode, this.simNode),
        this.panel,
      ),
    );
    this.panel.addEventListener("studio:changed", () => this.refreshChecks());
    this.map = makeMap(mapNode, { label: t("mapLabel") });
    this.map.on("click", (e) => this.onMapClick(e));
    // Without a mouse: in adding mode, Enter on the focused map adds the stop at its centre.
    mapNode.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && this.adding) {
        event.preventDefault();
        this.onMapClick({ latlng: this.map.getCenter() });
      }
      if (event.key === "Escape" && this.adding) this.toggleAdding(false);
    });
    this.map.pm.setGlobalOptions({ snappable: false });
    this.map.on("pm:create", (e) => this.onDrawn(e));
    this.simulator = new Simulator(this.simNode, this.map, () => this.stops, this.trail);
    this.showEmptyPanel();
    await this.reload();
    this.fit();
  }

  async reload(selectId = this.selected?.id) {
    this.stops = await all(`${this.stopsPath}`);
    this.drawLayers();
    this.drawList();
    if (selectId) {
      const stop = this.stops.find((s) => s.id === selectId);
      if (stop) this.select(stop, false);
    }
    this.refreshChecks();
  }

  refreshChecks() {
    renderChecks(this.checks, this.trail, (key) => {
      const stop = this.stops.find((s) => s.key === key);
      if (stop) this.select(stop, true);
    });
  }

  fit() {
    if (!this.layers.size) return;
    const bounds = L.featureGroup([...this.layers.values()]).getBounds();
    this.map.fitBounds(bounds.pad(0.25), { maxZoom: 18 });
  }

  drawLayers() {
    for (const layer of this.layers.values()) layer.remove();
    this.layers.clear();
    this.stops.forEach((stop, index) => {
      const layer = this.layerFor(stop.zone);
      layer.bindTooltip(this.label(stop, index), TOOLTIP);
      layer.on("click", (e) => {
        L.DomEvent.stopPropagation(e);
        if (!this.adding) this.select(stop, false);
      });
      layer.addTo(this.map);
      this.layers.set(stop.id, layer);
    });
  }

  /** A stop's label on the map: an element of text nodes, since Leaflet reads a string as HTML. */
  label(stop, index = this.stops.indexOf(stop)) {
    return h("span", {}, `${index + 1}. `, pick(stop.title, this.lang) || stop.key);
  }

  layerFor(zone) {
    const style = { color: COLOURS.idle, weight: 2, fillOpacity: 0.18 };
    if (zone.type === "circle") return L.circle([zone.center[1], zone.center[0]], { ...style, radius: zone.radius_m });
    return L.polygon(zone.coordinates.map((ring) => ring.slice(0, -1).map(([lon, lat]) => [lat, lon])), style);
  }

  drawList() {
    clear(this.list);
    const editable = canEdit();
    this.stops.forEach((stop, index) => {
      const up = h("button", { type: "button", class: "icon", "aria-label": t("moveUp", { name: stop.key }), disabled: index === 0, onclick: () => this.move(stop, index - 1) }, "↑");
      const down = h("button", { type: "button", class: "icon", "aria-label": t("moveDown", { name: stop.key }), disabled: index === this.stops.length - 1, onclick: () => this.move(stop, index + 1) }, "↓");
      this.list.append(
        h(
          "li",
          { class: this.selected?.id === stop.id ? "selected" : "", dataset: { key: stop.key } },
          h("button", { type: "button", class: "stop-name", "aria-current": this.selected?.id === stop.id ? "true" : null, onclick: () => this.select(stop, true) }, h("span", { class: "num" }, index + 1), pick(stop.title, this.lang) || stop.key, stop.story_id ? h("span", { class: "has-story", title: t("hasStory"), "aria-label": t("hasStory") }, " ♪") : null),
          editable ? h("span", { class: "order" }, up, down) : null,
        ),
      );
    });
    if (!this.stops.length) this.list.append(h("li", { class: "empty" }, t("noStops")));
  }

  async move(stop, position) {
    try {
      await call("PATCH", `${this.stopsPath}/${stop.id}`, { body: { position }, etag: stop.etag });
      await this.reload(stop.id);
      this.list.querySelector(`[data-key="${stop.key}"] .stop-name`)?.focus();
    } catch (err) {
      this.showError(err);
    }
  }

  toggleAdding(on = !this.adding) {
    this.adding = on;
    this.addButton.setAttribute("aria-pressed", String(on));
    this.addButton.textContent = on ? t("addingStop") : t("addStop");
    this.map.getContainer().classList.toggle("adding", on);
    if (on && this.addButton.matches(":focus-visible")) this.map.getContainer().focus();
  }

  async onMapClick(event) {
    if (!this.adding) return;
    this.toggleAdding(false);
    const used = new Set(this.stops.map((s) => s.key));
    let n = this.stops.length + 1;
    while (used.has(`stop-${n}`)) n += 1;
    const language0 = this.trail.languages[0];
    try {
      const stop = await post(this.stopsPath, {
        key: `stop-${n}`,
        title: { [language0]: `${t("stop")} ${n}` },
        zone: { type: "circle", center: [round(event.latlng.lng), round(event.latlng.lat)], radius_m: 25 },
      });
      toast(t("stopAdded"));
      await this.reload(stop.id);
      this.panel.querySelector("input")?.focus();
    } catch (err) {
      this.showError(err);
    }
  }

  showError(err) {
    clear(this.message).append(errorBox([readable(err)]));
  }

  showEmptyPanel() {
    clear(this.panel).append(h("div", { class: "panel-empty" }, h("h2", {}, t("noStopSelected")), h("p", {}, canEdit() ? t("selectOrAdd") : t("selectStop"))));
  }

  select(stop, pan) {
    clear(this.message);
    if (this.selected) this.unstyle(this.selected.id);
    this.selected = stop;
    const layer = this.layers.get(stop.id);
    layer.setStyle({ color: COLOURS.selected, weight: 3 });
    if (pan) this.map.panTo(zoneCentre(stop.zone));
    for (const li of this.list.children) li.classList.toggle("selected", li.dataset.key === stop.key);
    this.form = renderStopForm(this.panel, {
      stop,
      trail: this.trail,
      path: `${this.stopsPath}/${stop.id}`,
      others: this.stops,
      onSaved: () => this.reload(stop.id),
      onDeleted: async () => {
        this.selected = null;
        this.showEmptyPanel();
        await this.reload(null);
      },
      onDrawPolygon: () => this.startPolygon(),
      onCircle: () => this.makeCircle(),
      zoneChanged: (zone) => this.replaceLayer(stop, zone),
    });
    if (canEdit()) this.enableEditing(stop);
  }

  unstyle(id) {
    const layer = this.layers.get(id);
    if (!layer) return;
    layer.setStyle({ color: COLOURS.idle, weight: 2 });
    if (layer.pm) {
      layer.pm.disable();
      layer.pm.disableLayerDrag?.();
    }
  }

  enableEditing(stop) {
    const layer = this.layers.get(stop.id);
    layer.pm.enable({ allowSelfIntersection: false });
    layer.pm.enableLayerDrag();
    const changed = () => this.form.setZone(zoneOfLayer(layer));
    layer.on("pm:edit", changed);
    layer.on("pm:dragend", changed);
    layer.on("pm:markerdragend", changed);
  }

  replaceLayer(stop, zone) {
    const old = this.layers.get(stop.id);
    old.remove();
    const layer = this.layerFor(zone);
    layer.bindTooltip(this.label(stop), TOOLTIP);
    layer.setStyle({ color: COLOURS.selected, weight: 3 });
    layer.addTo(this.map);
    this.layers.set(stop.id, layer);
    this.enableEditing(stop);
  }

  startPolygon() {
    this.map.pm.enableDraw("Polygon", { snappable: false, templineStyle: { color: COLOURS.selected }, pathOptions: { color: COLOURS.selected } });
    toast(t("drawPolygonHint"));
  }

  onDrawn(event) {
    if (this.simulator.drawing) return this.simulator.onDrawn(event);
    const layer = event.layer;
    layer.remove();
    if (!this.selected || !(layer instanceof L.Polygon)) return;
    const zone = zoneOfLayer(layer);
    this.replaceLayer(this.selected, zone);
    this.form.setZone(zone);
  }

  makeCircle() {
    if (!this.selected) return;
    const [lat, lon] = zoneCentre(this.form.zone);
    const zone = { type: "circle", center: [round(lon), round(lat)], radius_m: 25 };
    this.replaceLayer(this.selected, zone);
    this.form.setZone(zone);
  }
}
