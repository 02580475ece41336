// The selected ambience layer's form: names, the loop, its area (a circle on the map or the
// whole trail), how far around it is heard and how loud, and what the visitor hears in words.
// A new layer is created by its first save; a saved one is saved with If-Match. The server
// checks every value; its refusals are said under their fields, and nothing is saved then.
import { contentAttributes } from "@baladeur/i18n";
import { ApiError, call } from "./api.js";
import { clear, field, h, toast } from "./dom.js";
import { EditForm } from "./editform.js";
import { Problems } from "./formcheck.js";
import { formatDb, formatNumber } from "./format.js";
import { t } from "./i18n.js";
import { loadAudioChoices } from "./objectform.js";
import { canEdit } from "./state.js";
import { uploader } from "./story.js";
import { readable } from "./ui.js";

// Fields whose refusals the form says in its own words (the others keep the server's).
const WORDED = new Set(["asset_id", "radius_m"]);

/** A new layer's fields around a clicked place (saved only by the form's first save). */
export function draftLayer(position, key) {
  return { id: null, key, title: {}, asset_id: null, zone: { type: "circle", center: position, radius_m: 40 }, min_distance_m: 0, max_distance_m: 50, min_gain_db: -40, max_gain_db: 0, etag: null };
}

/** Where a layer is drawn on the map: its circle, or its polygon's ring and middle. */
export function layerPlace(layer) {
  const zone = layer.zone;
  if (zone.type === "circle") return { ...layer, position: zone.center, radius_m: zone.radius_m };
  const ring = zone.coordinates[0].slice(0, -1);
  const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  return { ...layer, position: [lon, lat], radius_m: 0, ring: ring.map(([x, y]) => [y, x]) };
}

const numberOrNull = (input) => (input.value.trim() === "" ? null : Number(input.value));

/** What a visitor hears of a layer, in words (the trigger semantics' law and ducking). */
export function layerWords(values, duckingDb) {
  const metres = (m) => (m === null || m === undefined || Number.isNaN(m) ? "?" : formatNumber(m));
  const parts = [t("ambienceWordsLoop", { reach: metres(values.max_distance_m) })];
  parts.push(t("ambienceWordsLevels", { loud: formatDb(values.max_gain_db ?? 0), near: metres(values.min_distance_m ?? 0), quiet: formatDb(values.min_gain_db ?? -40), reach: metres(values.max_distance_m) }));
  parts.push(t("ambienceWordsFades", { ducking: formatDb(Math.abs(duckingDb)) }));
  return parts.join(" ");
}

/** Draws the form into ``panel``; returns {place(changes)} for the map's drags and resizes. */
export function renderAmbienceForm(panel, opts) {
  const { layer, trail, path } = opts;
  const isNew = layer.id === null;
  const editable = canEdit();
  const zone = { ...layer.zone };
  const problems = new Problems();
  const form = new EditForm({ path: isNew ? path : `${path}/${layer.id}`, object: layer, build: () => build() });
  const state = h("span", { class: "unsaved", "aria-live": "polite" });
  const dirty = () => (state.textContent = t("unsaved"));
  const ducking = trail.settings?.ducking_db ?? -12;

  const watched = (name, label, control, hint) => problems.watch(name, field(label, control, hint), control, label);
  const titles = trail.languages.map((l) => field(t("ambienceTitleIn", { lang: l.toUpperCase() }), form.bind(`title-${l}`, h("input", { name: `ambience-title-${l}`, ...contentAttributes(l) }), (o) => o.title[l] ?? "")));
  const key = form.bind("key", h("input", { name: "ambience-key", autocomplete: "off" }), (o) => o.key);
  const audio = form.bind("asset_id", h("select", { name: "ambience-audio", id: "ambience-audio" }, h("option", { value: "" }, t("ambienceNoAudio"))), (o) => (o.asset_id === null ? "" : String(o.asset_id)));
  const radius = form.bind("radius_m", h("input", { type: "number", id: "ambience-radius", name: "ambience-radius", min: 1, max: 5000, step: "any", inputmode: "decimal" }), (o) => (o.zone.type === "circle" ? o.zone.radius_m : ""));
  const near = form.bind("min_distance_m", h("input", { type: "number", id: "ambience-near", name: "ambience-near", min: 0, step: "any", inputmode: "decimal" }), (o) => o.min_distance_m);
  const reach = form.bind("max_distance_m", h("input", { type: "number", id: "ambience-reach", name: "ambience-reach", min: 1, step: "any", inputmode: "decimal" }), (o) => o.max_distance_m);
  const loud = form.bind("max_gain_db", h("input", { type: "number", id: "ambience-loud", name: "ambience-loud", step: "any", inputmode: "decimal" }), (o) => o.max_gain_db);
  const quiet = form.bind("min_gain_db", h("input", { type: "number", id: "ambience-quiet", name: "ambience-quiet", step: "any", inputmode: "decimal" }), (o) => o.min_gain_db);
  const words = h("p", { class: "hint ambience-words", id: "ambience-words", "aria-live": "polite" });

  // The area: a circle placed on the map, the whole trail, or (from a source folder) a polygon.
  const choices = [["circle", t("ambienceAreaCircle")], ["trail", t("ambienceAreaTrail")]];
  if (zone.type === "polygon") choices.push(["polygon", t("ambienceAreaPolygon")]);
  const radios = choices.map(([value, label]) => {
    const input = h("input", { type: "radio", name: "ambience-area", id: `ambience-area-${value}`, value, checked: value === zone.type });
    input.addEventListener("change", () => {
      form.touch("zone");
      areaRows();
    });
    return h("label", { class: "choice", for: input.id }, input, " ", label);
  });
  // Read from the radios themselves: the form is checked before it joins the page.
  const area = () => radios.map((r) => r.querySelector("input")).find((i) => i.checked)?.value ?? "circle";
  const radiusField = watched("radius_m", t("ambienceRadius"), radius, t("ambienceRadiusHint"));
  const areaRows = () => {
    radiusField.hidden = area() !== "circle";
  };
  const areaSet = problems.watch("zone", h("fieldset", { class: "ambience-area", id: "ambience-area" }, h("legend", {}, t("ambienceArea")), radios, radiusField), radios[0].querySelector("input"), t("ambienceArea"));

  const say = () => (words.textContent = layerWords({ max_distance_m: numberOrNull(reach), min_distance_m: numberOrNull(near), max_gain_db: numberOrNull(loud), min_gain_db: numberOrNull(quiet) }, ducking));
  radius.addEventListener("input", () => {
    const r = Number(radius.value);
    if (r > 0 && zone.type === "circle") opts.showPlace({ position: zone.center, radius_m: r });
  });

  function build() {
    const title = {};
    for (const l of trail.languages) {
      const v = panel.querySelector(`[name="ambience-title-${l}"]`).value.trim();
      if (v) title[l] = v;
    }
    const body = { key: key.value.trim(), title, min_distance_m: numberOrNull(near), max_distance_m: numberOrNull(reach), min_gain_db: numberOrNull(quiet), max_gain_db: numberOrNull(loud) };
    const chosen = area();
    if (chosen === "trail") body.zone = { type: "trail" };
    else if (chosen === "circle") body.zone = { type: "circle", center: zone.center ?? layerPlace(layer).position, radius_m: numberOrNull(radius) };
    if (audio.value !== "") body.asset_id = Number(audio.value);
    else if (!isNew) body.asset_id = null;
    // Unchanged values of a saved layer need not be sent again (the server keeps them).
    if (!isNew && !form.dirty.has("zone") && !form.dirty.has("radius_m")) delete body.zone;
    return body;
  }

  const worded = (name, e) => (WORDED.has(name) ? t(`err_ambience_${name}`) : e.message);
  const refused = (err) => {
    if (err instanceof ApiError && err.status === 412) form.showConflict();
    else problems.fromError(err, worded);
  };

  async function save() {
    problems.reset();
    clear(form.message);
    try {
      const data = isNew ? (await call("POST", path, { body: build() })).data : await form.send(build());
      form.dirty.clear();
      state.textContent = "";
      toast(isNew ? t("ambienceAdded") : t("ambienceSaved"));
      opts.onSaved(data);
    } catch (err) {
      refused(err);
    }
  }

  /** A drag or a resize on the map: the circle changes in the form, saved by its button. */
  function placeChanged(changes) {
    if (changes.position) zone.center = changes.position;
    if ("radius_m" in changes) radius.value = changes.radius_m;
    zone.type = "circle";
    radios[0].querySelector("input").checked = true;
    areaRows();
    form.touch("zone");
    opts.showPlace({ position: zone.center, radius_m: Number(radius.value) });
    dirty();
  }

  form.onReloaded = (data) => {
    Object.assign(zone, data.zone);
    say();
  };

  const remove = async () => {
    if (!confirm(t("confirmDeleteAmbience", { name: layer.key }))) return;
    try {
      await call("DELETE", form.path, { etag: form.etag });
      toast(t("ambienceDeleted"));
      opts.onDeleted();
    } catch (err) {
      refused(err);
    }
  };

  const node = h(
    "form",
    { class: "stop-form ambience-form", id: "ambience-form", novalidate: true },
    h("div", { class: "panel-head" }, h("h2", {}, isNew ? t("newAmbience") : [t("ambience"), " ", h("code", {}, layer.key)]), state),
    titles,
    watched("key", t("key"), key, t("keyHint")),
    watched("asset_id", t("ambienceAudio"), audio, t("ambienceAudioHint")),
    editable
      ? uploader("immersive", (id, asset) => {
          audio.append(h("option", { value: String(id) }, asset.filename));
          audio.value = String(id);
          form.touch("asset_id");
          dirty();
        }, t("ambienceUpload"))
      : null,
    areaSet,
    h("div", { class: "row" }, watched("max_distance_m", t("ambienceReach"), reach, t("ambienceReachHint")), watched("min_distance_m", t("ambienceNear"), near, t("ambienceNearHint"))),
    h("div", { class: "row" }, watched("max_gain_db", t("ambienceLoud"), loud, t("ambienceLoudHint")), watched("min_gain_db", t("ambienceQuiet"), quiet, t("ambienceQuietHint"))),
    words,
    problems.summary,
    form.message,
    editable
      ? h(
          "div",
          { class: "actions" },
          isNew ? h("button", { type: "button", class: "quiet", onclick: () => opts.onDeleted() }, t("cancel")) : h("button", { type: "button", class: "danger quiet", id: "delete-ambience", onclick: remove }, t("delete")),
          h("button", { type: "submit", class: "primary", id: "save-ambience" }, t("saveAmbience")),
        )
      : null,
  );
  node.addEventListener("input", () => {
    dirty();
    say();
  });
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  areaRows();
  say();
  if (!editable) for (const c of node.querySelectorAll("input,select,textarea")) c.disabled = true;
  clear(panel).append(node);
  loadAudioChoices(audio, layer.asset_id).catch((err) => toast(readable(err)));
  return { place: placeChanged, form };
}
