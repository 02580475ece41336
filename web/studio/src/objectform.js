// The selected sound object's form: names, audio, how far and how loud it is heard, and its
// optional rules in words. A new object is created by its first save; an existing one is saved
// with If-Match (a conflict is handled as for stops). The server checks every value, and its
// refusals are said under their fields in the form's words; nothing is saved then.
import { contentAttributes } from "@baladeur/i18n";
import { ApiError, all, call } from "./api.js";
import { check, clear, field, h, select, toast } from "./dom.js";
import { EditForm } from "./editform.js";
import { Problems } from "./formcheck.js";
import { t } from "./i18n.js";
import { parseWindows, windowsText } from "./rules.js";
import { canEdit, orgPath } from "./state.js";
import { uploader } from "./story.js";
import { readable } from "./ui.js";

const DIRECTIONS = [0, 45, 90, 135, 180, 225, 270, 315];
// What a rule starts with when its box is ticked (the mediator may change it).
const DEFAULT_TOLERANCE = { approach: 45, facing: 60 };
// Fields whose refusals the form says in its own words (the others keep the server's).
const WORDED = new Set(["asset_id", "radius_m", "ref_distance_m", "rolloff", "gain_db", "approach", "facing", "time_windows"]);

/** A new object's fields at a clicked place (saved only by the form's first save). */
export function draftObject(position, key) {
  return { id: null, key, title: {}, asset_id: null, position, radius_m: 30, ref_distance_m: 3, rolloff: "inverse", gain_db: 0, loop: true, requires: null, time_windows: [], approach: null, facing: null, etag: null };
}

const numberOrNull = (input) => (input.value.trim() === "" ? null : Number(input.value));

/** Draws the form into ``panel``; returns {place(changes)} for the map's drags and resizes. */
export function renderObjectForm(panel, opts) {
  const { object, trail, objectsPath } = opts;
  const isNew = object.id === null;
  const editable = canEdit();
  const place = { position: object.position, radius_m: object.radius_m };
  const problems = new Problems();
  const form = new EditForm({ path: isNew ? objectsPath : `${objectsPath}/${object.id}`, object, build: () => build() });
  const state = h("span", { class: "unsaved", "aria-live": "polite" });
  const dirty = () => (state.textContent = t("unsaved"));

  const watched = (name, label, control, hint) => problems.watch(name, field(label, control, hint), control, label);
  const titles = trail.languages.map((l) => {
    const input = form.bind(`title-${l}`, h("input", { name: `sound-title-${l}`, ...contentAttributes(l) }), (o) => o.title[l] ?? "");
    return field(t("soundTitleIn", { lang: l.toUpperCase() }), input);
  });
  const key = form.bind("key", h("input", { name: "sound-key", autocomplete: "off" }), (o) => o.key);
  const audio = form.bind("asset_id", select([["", t("soundNoAudio")]], "", { name: "sound-audio" }), (o) => (o.asset_id === null ? "" : String(o.asset_id)));
  const radius = form.bind("radius_m", h("input", { type: "number", name: "sound-radius", min: 1, max: 5000, step: "any", inputmode: "decimal" }), (o) => o.radius_m);
  const ref = form.bind("ref_distance_m", h("input", { type: "number", name: "sound-ref", min: 0.1, step: "any", inputmode: "decimal" }), (o) => o.ref_distance_m);
  const rolloff = form.bind("rolloff", select([["inverse", t("rolloff_inverse")], ["linear", t("rolloff_linear")]], object.rolloff, { name: "sound-rolloff" }), (o) => o.rolloff);
  const gain = form.bind("gain_db", h("input", { type: "number", id: "sound-gain", name: "sound-gain", max: 0, step: "any", inputmode: "decimal" }), (o) => o.gain_db);
  const slider = h("input", { type: "range", name: "sound-gain-slider", min: -40, max: 0, step: 0.5, "aria-label": t("soundVolume") });
  const loop = form.bind("loop", select([["true", t("loop_true")], ["false", t("loop_false")]], String(object.loop), { name: "sound-loop" }), (o) => String(o.loop));

  const approachOn = form.bind("approach-on", h("input", { type: "checkbox", name: "sound-approach-on" }), (o) => o.approach !== null, (c, v) => (c.checked = !!v));
  const bearing = form.bind("approach-bearing", h("select", { name: "sound-approach-bearing" }), (o) => o.approach?.bearing_deg ?? 0, writeBearing);
  const approachTol = form.bind("approach-tolerance", h("input", { type: "number", name: "sound-approach-tolerance", min: 0, max: 180, step: "any", inputmode: "decimal" }), (o) => o.approach?.tolerance_deg ?? DEFAULT_TOLERANCE.approach);
  const facingOn = form.bind("facing-on", h("input", { type: "checkbox", name: "sound-facing-on" }), (o) => o.facing !== null, (c, v) => (c.checked = !!v));
  const facingTol = form.bind("facing-tolerance", h("input", { type: "number", name: "sound-facing-tolerance", min: 0, max: 180, step: "any", inputmode: "decimal" }), (o) => o.facing?.tolerance_deg ?? DEFAULT_TOLERANCE.facing);
  const times = form.bind("time_windows", h("input", { name: "sound-times", placeholder: "09:00-12:00, 14:00-18:00" }), (o) => windowsText(o.time_windows));

  // The slider and the number say the same volume; either may be used.
  const syncSlider = () => (slider.value = gain.value === "" ? 0 : Math.max(-40, Number(gain.value)));
  syncSlider();
  gain.addEventListener("input", syncSlider);
  slider.addEventListener("input", () => {
    gain.value = slider.value;
    form.touch("gain_db");
  });
  const ruleRows = () => {
    bearing.disabled = approachTol.disabled = !approachOn.checked || !editable;
    facingTol.disabled = !facingOn.checked || !editable;
  };
  approachOn.addEventListener("change", ruleRows);
  facingOn.addEventListener("change", ruleRows);
  // The map follows a typed radius at once; it is saved with the form.
  radius.addEventListener("input", () => {
    const r = Number(radius.value);
    if (r > 0) opts.showPlace({ ...place, radius_m: r });
  });

  function build() {
    const title = {};
    for (const l of trail.languages) {
      const v = panel.querySelector(`[name="sound-title-${l}"]`).value.trim();
      if (v) title[l] = v;
    }
    const body = {
      key: key.value.trim(),
      title,
      position: place.position,
      radius_m: numberOrNull(radius),
      ref_distance_m: numberOrNull(ref),
      rolloff: rolloff.value,
      gain_db: numberOrNull(gain),
      loop: loop.value === "true",
      time_windows: parseWindows(times.value),
      approach: approachOn.checked ? { bearing_deg: Number(bearing.value), tolerance_deg: numberOrNull(approachTol) } : null,
      facing: facingOn.checked ? { tolerance_deg: numberOrNull(facingTol) } : null,
    };
    // No audio chosen: a new object goes without one, and the server says it is needed.
    if (audio.value !== "") body.asset_id = Number(audio.value);
    else if (!isNew) body.asset_id = null;
    return body;
  }

  const words = (name, e) => (WORDED.has(name) ? t(`err_${name}`) : e.message);
  const refused = (err) => {
    if (err instanceof ApiError && err.status === 412) form.showConflict();
    else problems.fromError(err, words);
  };

  async function save() {
    problems.reset();
    clear(form.message);
    try {
      const data = isNew ? (await call("POST", objectsPath, { body: build() })).data : await form.send(build());
      form.dirty.clear();
      state.textContent = "";
      toast(isNew ? t("soundAdded") : t("soundSaved"));
      opts.onSaved(data);
    } catch (err) {
      refused(err);
    }
  }

  /** A drag or a resize on the map: a saved object saves that change at once. */
  async function placeChanged(changes) {
    Object.assign(place, changes);
    if ("radius_m" in changes) radius.value = changes.radius_m;
    opts.showPlace({ ...place });
    if (isNew) return dirty();
    problems.reset();
    clear(form.message);
    try {
      await form.send(changes);
      toast(t("soundSaved"));
      opts.onPlaced?.(form.object);
    } catch (err) {
      refused(err);
    }
  }

  form.onReloaded = (data) => {
    place.position = data.position;
    if (!form.dirty.has("radius_m")) place.radius_m = data.radius_m;
    syncSlider();
    ruleRows();
    opts.showPlace({ ...place });
  };

  const remove = async () => {
    if (!confirm(t("confirmDeleteSound", { name: object.key }))) return;
    try {
      await call("DELETE", form.path, { etag: form.etag });
      toast(t("soundDeleted"));
      opts.onDeleted();
    } catch (err) {
      refused(err);
    }
  };

  const audioField = watched("asset_id", t("soundAudio"), audio);
  const gainField = problems.watch("gain_db", h("div", { class: "field" }, h("label", { for: "sound-gain" }, t("soundVolume")), h("div", { class: "row tight gain" }, slider, gain), h("p", { class: "hint" }, t("soundVolumeHint"))), gain, t("soundVolume"));
  const rules = h(
    "fieldset",
    { class: "sound-rules" },
    h("legend", {}, t("soundRules")),
    h("p", { class: "hint" }, t("soundRulesHint")),
    problems.watch("approach", h("div", {}, check(t("soundApproach"), approachOn), h("div", { class: "row tight" }, field(t("soundDirection"), bearing), field(t("soundApproachTolerance"), approachTol))), approachTol, t("soundApproach")),
    problems.watch("facing", h("div", {}, check(t("soundFacing"), facingOn), field(t("soundFacingTolerance"), facingTol)), facingTol, t("soundFacing")),
    watched("time_windows", t("soundTimes"), times, t("rule_time_windows_hint")),
    object.requires ? h("p", { class: "hint" }, t("soundRequiresKept")) : null,
  );
  const node = h(
    "form",
    { class: "stop-form sound-form", id: "sound-form", novalidate: true },
    h("div", { class: "panel-head" }, h("h2", {}, isNew ? t("newSound") : [t("sound"), " ", h("code", {}, object.key)]), state),
    titles,
    field(t("key"), key, t("keyHint")),
    audioField,
    editable ? uploader("immersive", (id, asset) => {
      audio.append(h("option", { value: String(id) }, asset.filename));
      audio.value = String(id);
      form.touch("asset_id");
      dirty();
    }, t("soundUpload")) : null,
    h("div", { class: "row" }, watched("radius_m", t("soundRadius"), radius, t("soundRadiusHint")), watched("ref_distance_m", t("soundRef"), ref, t("soundRefHint"))),
    watched("rolloff", t("soundFade"), rolloff),
    gainField,
    field(t("soundLoop"), loop),
    rules,
    problems.summary,
    form.message,
    editable
      ? h(
          "div",
          { class: "actions" },
          isNew ? h("button", { type: "button", class: "quiet", onclick: () => opts.onDeleted() }, t("cancel")) : h("button", { type: "button", class: "danger quiet", id: "delete-sound", onclick: remove }, t("delete")),
          h("button", { type: "submit", class: "primary", id: "save-sound" }, t("saveSound")),
        )
      : null,
  );
  node.addEventListener("input", dirty);
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  ruleRows();
  if (!editable) for (const c of node.querySelectorAll("input,select,textarea")) c.disabled = true;
  clear(panel).append(node);
  loadAudioChoices(audio, object.asset_id).catch((err) => toast(readable(err)));
  return { place: placeChanged, form };
}

// The bearing select: the eight directions, plus the stored one when it is none of them.
function writeBearing(control, value) {
  const options = DIRECTIONS.map((d) => [String(d), t(`dir_${d}`)]);
  if (!DIRECTIONS.includes(Number(value))) options.push([String(value), t("degrees", { n: value })]);
  control.replaceChildren(...options.map(([v, label]) => h("option", { value: v }, label)));
  control.value = String(value);
}

/** The organisation's ready audio, as the choices of the select (the current one kept). */
export async function loadAudioChoices(control, current) {
  const assets = await all(orgPath("/assets?status=ready"));
  const chosen = control.value;
  for (const a of assets) {
    if (control.querySelector(`option[value="${a.id}"]`)) continue;
    const seconds = a.duration_s ? ` · ${Math.round(a.duration_s)} s` : "";
    control.append(h("option", { value: String(a.id) }, `${a.filename}${seconds}`));
  }
  if (current !== null && !control.querySelector(`option[value="${current}"]`)) control.append(h("option", { value: String(current) }, `#${current}`));
  control.value = chosen || (current === null ? "" : String(current));
}
