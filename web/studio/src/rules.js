// Trigger rules in plain words, with each default shown (read from the API's own schema).
import { check, field, h, select } from "./dom.js";
import { t } from "./i18n.js";

// Used only when the schema cannot be read; the server's TriggerRules is the reference.
const FALLBACK = { dwell_s: 0, max_accuracy_m: 30, exit_margin_m: null, exit_dwell_s: 5, replay: "once", cooldown_s: 60, priority: 0, interrupt: false, on_exit: "finish" };
let defaults = null;

/** The defaults of TriggerRules from /openapi.json (once per page load). */
export async function ruleDefaults() {
  if (defaults) return defaults;
  try {
    const schema = await (await fetch("/openapi.json")).json();
    const props = schema.components.schemas.TriggerRules.properties;
    defaults = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.default ?? null]));
  } catch {
    defaults = { ...FALLBACK };
  }
  return defaults;
}

const NUMBERS = [
  ["dwell_s", "s"],
  ["max_accuracy_m", "m"],
  ["exit_margin_m", "m"],
  ["exit_dwell_s", "s"],
  ["cooldown_s", "s"],
  ["priority", ""],
];

function defaultText(name, value, unit = "") {
  if (name === "exit_margin_m" && value === null) return t("rule_exit_margin_m_auto");
  let shown = `${value}${unit ? ` ${unit}` : ""}`;
  if (typeof value === "boolean") shown = value ? t("yes") : t("no");
  else if (typeof value === "string") shown = t(`${name}_${value}`, {}, value);
  return t("defaultIs", { value: shown });
}

/** Local-time windows as a mediator writes them: "09:00-12:00, 14:00-18:00". */
export function windowsText(windows) {
  return (windows ?? []).map((w) => `${w.start}-${w.end}`).join(", ");
}

/** The windows of such a text (the server checks each time). */
export function parseWindows(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((w) => {
    const [start, end] = w.split("-").map((s) => s.trim());
    return { start, end };
  });
}

/** A fieldset for a stop's rules; returns {node, read(), write(rules), controls}. */
export function rulesEditor(rules, defs, onInput) {
  const controls = {};
  const rows = [];
  for (const [name, unit] of NUMBERS) {
    const input = h("input", { type: "number", name: `rule-${name}`, min: name === "priority" ? null : 0, step: "any", inputmode: "decimal", placeholder: defs[name] ?? t("automatic") });
    controls[name] = input;
    rows.push(field(`${t(`rule_${name}`)}${unit ? ` (${unit})` : ""}`, input, `${t(`rule_${name}_hint`)} ${defaultText(name, defs[name], unit)}`));
  }
  controls.replay = select([["", t("useDefault")], ["once", t("replay_once")], ["always", t("replay_always")], ["loop", t("replay_loop")]], "", { name: "rule-replay" });
  rows.push(field(t("rule_replay"), controls.replay, `${t("rule_replay_hint")} ${defaultText("replay", defs.replay)}`));
  controls.on_exit = select([["", t("useDefault")], ["finish", t("on_exit_finish")], ["stop", t("on_exit_stop")]], "", { name: "rule-on_exit" });
  rows.push(field(t("rule_on_exit"), controls.on_exit, defaultText("on_exit", defs.on_exit)));
  controls.interrupt = h("input", { name: "rule-interrupt" });
  rows.push(check(t("rule_interrupt"), controls.interrupt, `${t("rule_interrupt_hint")} ${defaultText("interrupt", defs.interrupt)}`));
  controls.time_windows = h("input", { name: "rule-time_windows", placeholder: "09:00-12:00, 14:00-18:00" });
  rows.push(field(t("rule_time_windows"), controls.time_windows, t("rule_time_windows_hint")));
  let kept = {};
  const write = (r) => {
    kept = { requires: r.requires ?? null };
    for (const [name] of NUMBERS) controls[name].value = r[name] ?? "";
    controls.replay.value = r.replay ?? "";
    controls.on_exit.value = r.on_exit ?? "";
    controls.interrupt.checked = !!r.interrupt;
    controls.time_windows.value = windowsText(r.time_windows);
  };
  const read = () => {
    const out = {};
    for (const [name] of NUMBERS) if (controls[name].value !== "") out[name] = Number(controls[name].value);
    if (controls.replay.value) out.replay = controls.replay.value;
    if (controls.on_exit.value) out.on_exit = controls.on_exit.value;
    if (controls.interrupt.checked) out.interrupt = true;
    const windows = parseWindows(controls.time_windows.value);
    if (windows.length) out.time_windows = windows;
    if (kept.requires) out.requires = kept.requires;
    return out;
  };
  write(rules);
  for (const c of Object.values(controls)) {
    c.addEventListener("input", onInput);
    c.addEventListener("change", onInput);
  }
  const node = h("details", { class: "rules", id: "rules" }, h("summary", {}, t("triggerRules")), h("p", { class: "hint" }, t("rulesLead")), rows);
  return { node, read, write };
}
