// The selected stop's form: names, zone, trigger rules and its story; saved with If-Match.
import { contentAttributes } from "@baladeur/i18n";
import { call } from "./api.js";
import { movedZone, parsePlace } from "./coordinates.js";
import { check, clear, errorBox, field, h, toast } from "./dom.js";
import { EditForm } from "./editform.js";
import { Problems, decimal } from "./formcheck.js";
import { t } from "./i18n.js";
import { narrationField } from "./narration.js";
import { formatPlace, placeProblem } from "./places.js";
import { ruleDefaults, rulesEditor } from "./rules.js";
import { canEdit } from "./state.js";
import { renderStory } from "./story.js";
import { readable } from "./ui.js";

// What the server accepts for a stop's key (a slug) and a circle's radius: the same rules as
// trails/validation.py (SLUG_RE, SLUG_MAX_LENGTH, MIN_RADIUS_M, MAX_RADIUS_M), said early.
const KEY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const KEY_MAX = 80;
const RADIUS_MIN_M = 5;
const RADIUS_MAX_M = 5000;

/** Draws the form into ``panel``; returns an object the map talks to (setZone, zone). */
export function renderStopForm(panel, opts) {
  const { stop, trail, path } = opts;
  const editable = canEdit();
  const handle = { zone: stop.zone, narration: stop.narration_position ?? null };
  let rules = null;
  const form = new EditForm({
    path,
    object: stop,
    build: () => {
      const title = {};
      for (const l of trail.languages) {
        const v = panel.querySelector(`[name="stop-title-${l}"]`).value.trim();
        if (v) title[l] = v;
      }
      const body = { title, key: key.value.trim() };
      if (form.dirty.has("zone")) body.zone = handle.zone;
      if (form.dirty.has("rules")) body.rules = rules.read();
      if (form.dirty.has("narration_position")) body.narration_position = handle.narration;
      if (form.dirty.has("silent")) body.silent = silent.checked;
      return body;
    },
    onSaved: (data) => {
      state.textContent = "";
      opts.onSaved(data);
    },
  });
  const state = h("span", { class: "unsaved", "aria-live": "polite" });
  const dirty = () => (state.textContent = t("unsaved"));
  const key = form.bind("key", h("input", { name: "stop-key", autocomplete: "off" }), (o) => o.key);
  const problems = new Problems();
  form.problems = problems;
  form.check = (found) => {
    const k = key.value.trim();
    if (!k) found.add("key", t("keyNeeded"));
    else if (k.length > KEY_MAX) found.add("key", t("tooLong", { max: KEY_MAX, n: k.length }));
    else if (!KEY_PATTERN.test(k)) found.add("key", t("keyBadCharacters"));
    if (handle.zone.type === "circle") {
      const r = decimal(radius);
      if (r === null || Number.isNaN(r)) found.add("radius_m", t("radiusNotNumber"));
      else if (r < RADIUS_MIN_M || r > RADIUS_MAX_M) found.add("radius_m", t("radiusOutOfRange", { min: RADIUS_MIN_M, max: RADIUS_MAX_M }));
    }
  };
  const titles = trail.languages.map((l) =>
    field(t("stopTitleIn", { lang: l.toUpperCase() }), form.bind(`title-${l}`, h("input", { name: `stop-title-${l}`, ...contentAttributes(l) }), (o) => o.title[l] ?? "")),
  );
  // Without audio on purpose: the checks then accept the stop; otherwise it stops publishing.
  const silent = form.bind("silent", h("input", { type: "checkbox", name: "stop-silent" }), (o) => o.silent);
  // A text box: 12.5 m is a legitimate radius, and a comma is read as a decimal mark.
  const radius = h("input", { name: "radius", inputmode: "decimal", autocomplete: "off" });
  const zoneNode = h("div", { class: "zone" });
  // The zone's centre as typed coordinates: any form the place reader knows moves it there.
  const where = h("input", { name: "stop-position", id: "stop-position", autocomplete: "off", spellcheck: "false" });
  const whereProblems = new Problems();
  const whereField = whereProblems.watch("position", field(t("position"), where, t("positionHint")), where, t("position"));
  const showWhere = () => {
    if (document.activeElement !== where) where.value = formatPlace(...opts.centre(handle.zone));
  };
  where.addEventListener("change", () => {
    whereProblems.reset();
    const place = parsePlace(where.value);
    if (place.error) {
      // Nothing moves; the text stays so that it can be corrected.
      whereProblems.add("position", placeProblem(place.error));
      return;
    }
    const zone = movedZone(handle.zone, opts.centre(handle.zone), [place.lat, place.lon]);
    handle.setZone(zone);
    opts.zoneChanged(zone);
    opts.showPlace?.([place.lat, place.lon]);
    where.value = formatPlace(place.lat, place.lon);
  });
  // Enter in this field moves the zone; it does not save the whole stop.
  where.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    where.dispatchEvent(new Event("change"));
  });
  const drawZone = () => {
    showWhere();
    clear(zoneNode);
    if (handle.zone.type === "circle") {
      radius.value = handle.zone.radius_m;
      zoneNode.append(
        problems.watch("radius_m", field(t("radius"), radius, t("radiusHint")), radius, t("radius")),
        editable ? h("button", { type: "button", class: "quiet", id: "draw-polygon", onclick: opts.onDrawPolygon }, t("drawPolygon")) : null,
      );
    } else {
      zoneNode.append(
        h("p", { class: "hint" }, t("polygonZone", { n: handle.zone.coordinates[0].length - 1 })),
        editable ? h("button", { type: "button", class: "quiet", onclick: opts.onCircle }, t("useCircle")) : null,
      );
    }
  };
  radius.addEventListener("change", () => {
    const r = decimal(radius);
    if (!(r >= RADIUS_MIN_M && r <= RADIUS_MAX_M)) return;
    handle.setZone({ ...handle.zone, radius_m: r });
    opts.zoneChanged(handle.zone);
  });
  handle.setZone = (zone) => {
    handle.zone = zone;
    form.touch("zone");
    dirty();
    drawZone();
  };
  drawZone();
  const narration = narrationField({
    position: handle.narration,
    editable,
    centre: () => opts.centre(handle.zone),
    place: opts.onPlaceNarration,
    changed: (position) => handle.setNarration(position),
  });
  handle.setNarration = (position, fromMap = false) => {
    handle.narration = position;
    form.touch("narration_position");
    dirty();
    if (fromMap) narration.write(position);
    else opts.narrationChanged(position);
  };
  const rulesSlot = h("div");
  ruleDefaults().then((defs) => {
    rules = rulesEditor(stop.rules, defs, () => {
      form.touch("rules");
      dirty();
    });
    rulesSlot.append(rules.node);
    if (!editable) for (const c of rules.node.querySelectorAll("input,select")) c.disabled = true;
  });
  form.onReloaded = (data, touched) => {
    if (!touched.has("zone")) {
      handle.zone = data.zone;
      opts.zoneChanged(data.zone);
      drawZone();
    }
    if (!touched.has("rules") && rules) rules.write(data.rules);
    if (!touched.has("narration_position")) {
      handle.narration = data.narration_position ?? null;
      narration.write(handle.narration);
      opts.narrationChanged(handle.narration);
    }
  };
  const remove = async () => {
    if (!confirm(t("confirmDeleteStop", { name: stop.key }))) return;
    try {
      await call("DELETE", path, { etag: form.etag });
      toast(t("stopDeleted"));
      opts.onDeleted();
    } catch (err) {
      clear(form.message).append(errorBox([readable(err)]));
    }
  };
  const storySlot = h("section", { class: "story", id: "story", "aria-labelledby": "story-title" });
  const node = h(
    "form",
    { class: "stop-form", id: "stop-form", novalidate: true },
    h("div", { class: "panel-head" }, h("h2", {}, t("stop"), " ", h("code", {}, stop.key)), state),
    titles,
    problems.watch("key", field(t("key"), key, t("keyHint")), key, t("key")),
    check(t("silentOnPurpose"), silent, t("silentHint")),
    h("fieldset", {}, h("legend", {}, t("zone")), whereField, zoneNode),
    narration.node,
    rulesSlot,
    problems.summary,
    form.message,
    editable
      ? h("div", { class: "actions" }, h("button", { type: "button", class: "danger quiet", onclick: remove }, t("delete")), h("button", { type: "submit", class: "primary", id: "save-stop" }, t("saveStop")))
      : null,
  );
  node.addEventListener("input", dirty);
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    form.save();
  });
  if (!editable) for (const c of node.querySelectorAll("input,select,textarea")) c.disabled = true;
  clear(panel).append(node, storySlot);
  renderStory(storySlot, { stop, trail, stopForm: form, stopPath: path, onLinked: opts.onSaved });
  handle.form = form;
  return handle;
}
