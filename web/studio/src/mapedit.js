// The map page: stops on the map (add, drag, resize, polygons), their order, the selected
// stop's form, the sound objects and their form, the authoring checks, listening from a point
// and the simulation below the map.
import { all, call, post } from "./api.js";
import { draftLayer, layerPlace, renderAmbienceForm } from "./ambienceform.js";
import { backgroundNotice, ElementIcon, L, makeMap, onMap } from "./basemap.js";
import { clear, errorBox, h, toast } from "./dom.js";
import { language, t } from "./i18n.js";
import { renderChecks } from "./checks.js";
import { movedZone } from "./coordinates.js";
import { StopImport } from "./importstops.js";
import { ListenHere } from "./listen.js";
import { draftObject, renderObjectForm } from "./objectform.js";
import { ObjectLayers } from "./objectmap.js";
import { AMBIENCE_STYLE } from "./ambiencemap.js";
import { PlaceFinder } from "./places.js";
import { Simulator } from "./simulate.js";
import { canEdit, orgPath } from "./state.js";
import { renderStopForm } from "./stopform.js";
import { newStopTitles } from "./stopnames.js";
import { pick, readable, titleSpan } from "./ui.js";

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

/** What the map's marks mean. */
function legend() {
  return h(
    "p",
    { class: "legend map-legend", id: "map-legend" },
    h("span", { class: "key stop", "aria-hidden": "true" }),
    t("legendStop"),
    h("span", { class: "key sound", "aria-hidden": "true" }),
    t("legendSound"),
    h("span", { class: "key ambience", "aria-hidden": "true" }),
    t("legendAmbience"),
    h("span", { class: "key narration", "aria-hidden": "true" }),
    t("legendNarration"),
    h("span", { class: "key listener", "aria-hidden": "true" }, "➤"),
    t("legendListener"),
  );
}

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
    this.objects = [];
    this.objectsPath = orgPath(`/trails/${trail.id}/objects`);
    this.addingSound = false;
    this.ambience = [];
    this.ambiencePath = orgPath(`/trails/${trail.id}/ambience`);
    this.addingAmbience = false;
    // A click on the map that something waits for (a narration's point, the listener).
    this.placing = null;
    this.narrationLayers = [];
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
    this.soundList = h("ul", { class: "stop-list sound-list", id: "sound-list" });
    this.addSoundButton = h("button", { type: "button", id: "add-sound", class: "primary", "aria-pressed": "false", onclick: () => this.toggleAddingSound() }, t("addSound"));
    this.ambienceList = h("ul", { class: "stop-list ambience-list", id: "ambience-list" });
    this.addAmbienceButton = h("button", { type: "button", id: "add-ambience", class: "primary", "aria-pressed": "false", onclick: () => this.toggleAddingAmbience() }, t("addAmbience"));
    const listenNode = h("section", { class: "listen", id: "listen", "aria-labelledby": "listen-title" });
    this.importer = editable ? new StopImport(this.stopsPath, (created) => this.imported(created)) : null;
    this.body.append(
      h(
        "div",
        { class: "editor" },
        h(
          "aside",
          { class: "sidebar" },
          h("section", { "aria-labelledby": "stops-title" }, h("h2", { id: "stops-title" }, t("stops")), editable ? [this.addButton, this.addHint] : null, this.message, this.list, this.importer?.node),
          h("section", { "aria-labelledby": "sounds-title" }, h("h2", { id: "sounds-title" }, t("sounds")), editable ? [this.addSoundButton, h("p", { class: "hint" }, t("addSoundHint"))] : null, this.soundList),
          h("section", { "aria-labelledby": "ambience-title" }, h("h2", { id: "ambience-title" }, t("ambienceLayers")), editable ? [this.addAmbienceButton, h("p", { class: "hint" }, t("addAmbienceHint"))] : null, this.ambienceList),
          listenNode,
          this.checks,
        ),
        h("div", { class: "map-column" }, mapNode, legend(), this.simNode),
        this.panel,
      ),
    );
    this.panel.addEventListener("studio:changed", () => this.refreshChecks());
    this.map = makeMap(mapNode, { label: t("mapLabel") });
    onMap(this.map, backgroundNotice(this.map), "bottomleft");
    this.finder = new PlaceFinder(this.map, {
      selected: () => (this.selected ? pick(this.selected.title, this.lang) || this.selected.key : null),
      addHere: ([lat, lon]) => this.createStop([round(lon), round(lat)]),
      moveHere: (at) => this.moveSelectedTo(at),
    });
    onMap(this.map, this.finder.node, "topright");
    this.map.on("click", (e) => this.onMapClick(e));
    // Without a mouse: in adding mode, Enter on the focused map adds the stop at its centre.
    mapNode.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (this.adding || this.addingSound || this.addingAmbience || this.placing)) {
        event.preventDefault();
        this.onMapClick({ latlng: this.map.getCenter() });
      }
      if (event.key === "Escape" && this.adding) this.toggleAdding(false);
      if (event.key === "Escape" && this.addingSound) this.toggleAddingSound(false);
      if (event.key === "Escape" && this.addingAmbience) this.toggleAddingAmbience(false);
    });
    this.map.pm.setGlobalOptions({ snappable: false });
    this.map.on("pm:create", (e) => this.onDrawn(e));
    this.objectLayers = new ObjectLayers(this.map, {
      onClick: (obj, event) => {
        // A point may be placed on a sound, as on a stop's zone.
        if (this.placing || this.addingSound) this.onMapClick(event);
        else if (!this.adding) this.selectObject(obj);
      },
      onMove: (obj, position) => this.objectForm?.place({ position }),
      onResize: (obj, radius) => this.objectForm?.place({ radius_m: radius }),
    });
    this.ambienceLayers = new ObjectLayers(
      this.map,
      {
        onClick: (layer, event) => {
          if (this.placing || this.addingSound || this.addingAmbience) this.onMapClick(event);
          else if (!this.adding) this.selectLayer(layer);
        },
        onMove: (layer, position) => this.layerForm?.place({ position }),
        onResize: (layer, radius) => this.layerForm?.place({ radius_m: radius }),
      },
      AMBIENCE_STYLE,
    );
    this.listener = new ListenHere(listenNode, this.map, () => this.objects, (cb) => this.waitForPlace(cb));
    // A walk loaded before the stops and layers have arrived waits for them.
    const loaded = new Promise((resolve) => (this.loaded = resolve));
    this.simulator = new Simulator(this.simNode, this.map, () => this.stops, this.trail, () => this.ambience, loaded);
    this.showEmptyPanel();
    // A link from elsewhere (the publish page's problems) may name the stop to open.
    await this.reload(Number(new URLSearchParams(location.search).get("stop")) || undefined);
    this.loaded();
    this.fit();
  }

  async reload(selectId = this.selected?.id) {
    [this.stops, this.objects, this.ambience] = await Promise.all([all(`${this.stopsPath}`), all(this.objectsPath), all(this.ambiencePath)]);
    this.drawLayers();
    this.drawList();
    this.drawObjects();
    this.drawAmbience();
    if (selectId) {
      const stop = this.stops.find((s) => s.id === selectId);
      if (stop) this.select(stop, false);
    }
    this.refreshChecks();
  }

  refreshChecks() {
    const named = (key) => this.stops.find((s) => s.key === key);
    renderChecks(
      this.checks,
      this.trail,
      (key) => {
        const stop = named(key);
        if (stop) this.select(stop, true);
      },
      (key) => pick(named(key)?.title, this.lang) || key,
    );
  }

  fit() {
    // The panels around the map may have changed its size since it was made.
    this.map.invalidateSize();
    const layers = [...this.layers.values(), ...this.objectLayers.layers(), ...this.ambienceLayers.layers()];
    if (!layers.length) return;
    const bounds = L.featureGroup(layers).getBounds();
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
        // A point or a sound may be placed inside a stop's zone.
        if (this.placing || this.addingSound) return this.onMapClick(e);
        if (!this.adding) this.select(stop, false);
      });
      layer.addTo(this.map);
      this.layers.set(stop.id, layer);
    });
  }

  /** A stop's label on the map: an element of text nodes, since Leaflet reads a string as HTML. */
  label(stop, index = this.stops.indexOf(stop)) {
    return h("span", {}, `${index + 1}. `, titleSpan(stop.title, this.lang, stop.key));
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
          h("button", { type: "button", class: "stop-name", "aria-current": this.selected?.id === stop.id ? "true" : null, onclick: () => this.select(stop, true) }, h("span", { class: "num" }, index + 1), titleSpan(stop.title, this.lang, stop.key), stop.story_id ? h("span", { class: "has-story", title: t("hasStory"), "aria-label": t("hasStory") }, " ♪") : null),
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
    const at = [round(event.latlng.lng), round(event.latlng.lat)];
    if (this.placing) {
      const waiting = this.placing;
      this.placing = null;
      this.map.getContainer().classList.remove("adding");
      return waiting(at);
    }
    if (this.addingSound) return this.newObject(at);
    if (this.addingAmbience) return this.newLayer(at);
    if (!this.adding) return;
    this.toggleAdding(false);
    await this.createStop(at);
  }

  /** A new 25 m stop at ``at`` ([lon, lat]), selected with its form open. */
  async createStop(at) {
    const used = new Set(this.stops.map((s) => s.key));
    let n = this.stops.length + 1;
    while (used.has(`stop-${n}`)) n += 1;
    try {
      const stop = await post(this.stopsPath, {
        key: `stop-${n}`,
        title: newStopTitles(this.trail.languages, n),
        zone: { type: "circle", center: at, radius_m: 25 },
      });
      toast(t("stopAdded"));
      this.finder.done();
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
    this.finder?.drawFound();
    clear(this.panel).append(h("div", { class: "panel-empty" }, h("h2", {}, t("noStopSelected")), h("p", {}, canEdit() ? t("selectOrAdd") : t("selectStop"))));
  }

  select(stop, pan) {
    clear(this.message);
    this.leaveObject();
    this.leaveLayer();
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
      centre: (zone) => zoneCentre(zone),
      onPlaceNarration: (cb) => this.waitForPlace(cb),
      narrationChanged: (position) => this.showNarration(stop, position),
      onCircle: () => this.makeCircle(),
      zoneChanged: (zone) => this.replaceLayer(stop, zone),
      showPlace: (at) => this.map.panTo(at),
    });
    this.finder?.drawFound();
    if (canEdit()) this.enableEditing(stop);
    this.showNarration(stop, stop.narration_position ?? null);
  }

  /** Wait for one click on the map (or Enter on it); ``cb([lon, lat])``. */
  waitForPlace(cb) {
    if (this.adding) this.toggleAdding(false);
    if (this.addingSound) this.toggleAddingSound(false);
    if (this.addingAmbience) this.toggleAddingAmbience(false);
    this.placing = cb;
    this.map.getContainer().classList.add("adding");
  }

  /** The selected stop's narration point: a small marker, dashed to its zone's centre. */
  showNarration(stop, position) {
    for (const layer of this.narrationLayers) layer.remove();
    this.narrationLayers = [];
    if (!position) return;
    const at = [position[1], position[0]];
    const line = L.polyline([zoneCentre(this.form?.zone ?? stop.zone), at], { color: COLOURS.selected, weight: 2, dashArray: "3 5", interactive: false });
    const icon = new ElementIcon({ iconSize: [16, 16], iconAnchor: [8, 8], className: "narration-point", build: () => h("div", { title: t("legendNarration") }) });
    const marker = L.marker(at, { icon, draggable: canEdit(), keyboard: false, title: t("legendNarration") });
    marker.on("drag", () => line.setLatLngs([line.getLatLngs()[0], marker.getLatLng()]));
    marker.on("dragend", () => {
      const p = marker.getLatLng();
      this.form?.setNarration([round(p.lng), round(p.lat)], true);
    });
    this.narrationLayers = [line.addTo(this.map), marker.addTo(this.map)];
  }

  drawObjects() {
    this.objectLayers.draw(this.objects, (o) => pick(o.title, this.lang) || o.key);
    clear(this.soundList);
    for (const obj of this.objects) {
      const current = this.objectForm?.id === obj.id;
      this.soundList.append(
        h("li", { class: current ? "selected" : "", dataset: { key: obj.key } }, h("button", { type: "button", class: "stop-name sound-name", "aria-current": current ? "true" : null, onclick: () => this.selectObject(obj, true) }, h("span", { class: "num", "aria-hidden": "true" }, "♫"), titleSpan(obj.title, this.lang, obj.key))),
      );
    }
    if (!this.objects.length) this.soundList.append(h("li", { class: "empty" }, t("noSounds")));
  }

  toggleAddingSound(on = !this.addingSound) {
    if (on && this.adding) this.toggleAdding(false);
    this.addingSound = on;
    this.addSoundButton.setAttribute("aria-pressed", String(on));
    this.addSoundButton.textContent = on ? t("addingSound") : t("addSound");
    this.map.getContainer().classList.toggle("adding", on);
    if (on && this.addSoundButton.matches(":focus-visible")) this.map.getContainer().focus();
  }

  /** A new sound at a clicked place: on the map and in the form, saved by its first save. */
  newObject(position) {
    this.toggleAddingSound(false);
    const used = new Set([...this.stops.map((s) => s.key), ...this.objects.map((o) => o.key)]);
    let n = this.objects.length + 1;
    while (used.has(`sound-${n}`)) n += 1;
    const draft = draftObject(position, `sound-${n}`);
    this.objectLayers.dropDraft();
    this.objectLayers.add(draft, t("newSound"));
    this.selectObject(draft);
    this.panel.querySelector("input")?.focus();
  }

  /** Leave the selected object's form (its unsaved draft goes). */
  leaveObject() {
    this.objectLayers.dropDraft();
    this.objectLayers.unselect();
    this.objectForm = null;
    for (const li of this.soundList.children) li.classList.remove("selected");
  }

  selectObject(obj, pan = false) {
    clear(this.message);
    this.leaveLayer();
    if (this.selected) this.unstyle(this.selected.id);
    this.selected = null;
    this.showNarration(null, null);
    for (const li of this.list.children) li.classList.remove("selected");
    if (obj.id !== null) this.objectLayers.dropDraft();
    const key = obj.id ?? "new";
    this.objectLayers.place(key, obj);
    this.objectLayers.select(key, canEdit());
    if (pan) this.map.panTo([obj.position[1], obj.position[0]]);
    for (const li of this.soundList.children) li.classList.toggle("selected", li.dataset.key === obj.key && obj.id !== null);
    const handle = renderObjectForm(this.panel, {
      object: obj,
      trail: this.trail,
      objectsPath: this.objectsPath,
      showPlace: (place) => this.objectLayers.place(key, { ...obj, ...place }),
      onPlaced: (data) => {
        this.objects = this.objects.map((o) => (o.id === data.id ? data : o));
        this.listener.update();
      },
      onSaved: async (data) => {
        this.objectLayers.dropDraft();
        await this.reload(null);
        const saved = this.objects.find((o) => o.id === data.id);
        if (saved) this.selectObject(saved);
        this.listener.update();
      },
      onDeleted: async () => {
        this.leaveObject();
        this.showEmptyPanel();
        await this.reload(null);
        this.listener.update();
      },
    });
    this.objectForm = { id: obj.id, place: handle.place };
  }

  drawAmbience() {
    this.ambienceLayers.draw(this.ambience.map(layerPlace), (a) => pick(a.title, this.lang) || a.key);
    clear(this.ambienceList);
    for (const layer of this.ambience) {
      const current = this.layerForm?.id === layer.id;
      this.ambienceList.append(
        h("li", { class: current ? "selected" : "", dataset: { key: layer.key } }, h("button", { type: "button", class: "stop-name ambience-name", "aria-current": current ? "true" : null, onclick: () => this.selectLayer(layerPlace(layer), true) }, h("span", { class: "num", "aria-hidden": "true" }, "≈"), titleSpan(layer.title, this.lang, layer.key))),
      );
    }
    if (!this.ambience.length) this.ambienceList.append(h("li", { class: "empty" }, t("noAmbience")));
  }

  toggleAddingAmbience(on = !this.addingAmbience) {
    if (on && this.adding) this.toggleAdding(false);
    if (on && this.addingSound) this.toggleAddingSound(false);
    this.addingAmbience = on;
    this.addAmbienceButton.setAttribute("aria-pressed", String(on));
    this.addAmbienceButton.textContent = on ? t("addingAmbience") : t("addAmbience");
    this.map.getContainer().classList.toggle("adding", on);
    if (on && this.addAmbienceButton.matches(":focus-visible")) this.map.getContainer().focus();
  }

  /** A new layer around a clicked place: on the map and in the form, saved by its first save. */
  newLayer(position) {
    this.toggleAddingAmbience(false);
    const used = new Set([...this.stops.map((s) => s.key), ...this.objects.map((o) => o.key), ...this.ambience.map((a) => a.key)]);
    let n = this.ambience.length + 1;
    while (used.has(`ambience-${n}`)) n += 1;
    const draft = layerPlace(draftLayer(position, `ambience-${n}`));
    this.ambienceLayers.dropDraft();
    this.ambienceLayers.add(draft, t("newAmbience"));
    this.selectLayer(draft);
    this.panel.querySelector("input")?.focus();
  }

  /** Leave the selected layer's form (its unsaved draft goes). */
  leaveLayer() {
    this.ambienceLayers.dropDraft();
    this.ambienceLayers.unselect();
    this.layerForm = null;
    for (const li of this.ambienceList.children) li.classList.remove("selected");
  }

  selectLayer(layer, pan = false) {
    clear(this.message);
    this.leaveObject();
    if (this.selected) this.unstyle(this.selected.id);
    this.selected = null;
    this.showNarration(null, null);
    for (const li of this.list.children) li.classList.remove("selected");
    if (layer.id !== null) this.ambienceLayers.dropDraft();
    const key = layer.id ?? "new";
    this.ambienceLayers.place(key, layer);
    this.ambienceLayers.select(key, canEdit());
    if (pan) this.map.panTo([layer.position[1], layer.position[0]]);
    for (const li of this.ambienceList.children) li.classList.toggle("selected", li.dataset.key === layer.key && layer.id !== null);
    const handle = renderAmbienceForm(this.panel, {
      layer,
      trail: this.trail,
      path: this.ambiencePath,
      showPlace: (place) => this.ambienceLayers.place(key, { ...layer, ...place, ring: null }),
      onSaved: async (data) => {
        this.ambienceLayers.dropDraft();
        await this.reload(null);
        const saved = this.ambience.find((a) => a.id === data.id);
        if (saved) this.selectLayer(layerPlace(saved));
      },
      onDeleted: async () => {
        this.leaveLayer();
        this.showEmptyPanel();
        await this.reload(null);
      },
    });
    this.layerForm = { id: layer.id, place: handle.place };
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

  /** Move the selected stop's zone whole to [lat, lon]; saved with the stop's form. */
  moveSelectedTo(at) {
    if (!this.selected || !this.form) return;
    const zone = movedZone(this.form.zone, zoneCentre(this.form.zone), at);
    this.replaceLayer(this.selected, zone);
    this.form.setZone(zone);
    this.finder.done();
    toast(t("stopMoved"));
  }

  /** After an import: the new stops listed and drawn, and the map fitted to the whole trail. */
  async imported(created) {
    toast(t("importDone", { n: created.length }));
    await this.reload(null);
    this.fit();
  }

  makeCircle() {
    if (!this.selected) return;
    const [lat, lon] = zoneCentre(this.form.zone);
    const zone = { type: "circle", center: [round(lon), round(lat)], radius_m: 25 };
    this.replaceLayer(this.selected, zone);
    this.form.setZone(zone);
  }
}
