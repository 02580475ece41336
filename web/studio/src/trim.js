// Trim and fades of a story's recording: the region is shown on the waveform, and Apply
// renders a new asset on the server (the original stays as it was).
import { get, post } from "./api.js";
import { clear, field, h } from "./dom.js";
import { Problems, decimal } from "./formcheck.js";
import { formatDecimal, formatNumber } from "./format.js";
import { t } from "./i18n.js";
import { waitReady } from "./media.js";
import { orgPath } from "./state.js";

// A bad or empty box counts as its default while the waveform is drawn; Apply says why.
const seconds = (control) => {
  const v = decimal(control);
  return Number.isFinite(v) ? v : null;
};

const round3 = (s) => String(Math.round(s * 1000) / 1000);

/** Shaded parts outside the trim and ramps for the fades, drawn over the waveform. */
function overlay(wave) {
  const part = (cls) => h("div", { class: `trim-mark ${cls}`, "aria-hidden": "true" });
  const marks = { before: part("trim-cut"), after: part("trim-cut"), fadeIn: part("trim-fade in"), fadeOut: part("trim-fade out") };
  wave.append(...Object.values(marks));
  return (duration, start, end, fadeIn, fadeOut) => {
    const pct = (s) => `${Math.min(100, Math.max(0, (s / duration) * 100))}%`;
    Object.assign(marks.before.style, { left: "0", width: pct(start) });
    Object.assign(marks.after.style, { left: pct(end), right: "0", width: "auto" });
    Object.assign(marks.fadeIn.style, { left: pct(start), width: pct(Math.min(fadeIn, end - start)) });
    Object.assign(marks.fadeOut.style, { left: pct(Math.max(start, end - fadeOut)), width: pct(Math.min(fadeOut, end - start)) });
  };
}

/** Trim start/end and fade in/out inputs under a recording; onApplied(newAssetId) after Apply. */
export async function trimControls(recordingNode, assetId, lang, onApplied) {
  const asset = await get(orgPath(`/assets/${assetId}`));
  const duration = asset.duration_s ?? 0;
  if (!duration) return null;
  // Text boxes rather than type=number: any length to the millisecond is legitimate (no step
  // to refuse 4.541), a comma is accepted, and what was typed stays as typed.
  const number = (name, value) => h("input", { name: `${name}-${lang}`, value: round3(value), inputmode: "decimal", autocomplete: "off", class: "seconds" });
  const start = number("trim-start", 0);
  const end = number("trim-end", duration);
  const fadeIn = number("fade-in", 0);
  const fadeOut = number("fade-out", 0);
  const wave = recordingNode.querySelector(".wave");
  const draw = overlay(wave);
  const redraw = () => {
    const s = Math.max(0, seconds(start) ?? 0);
    const e = Math.min(duration, seconds(end) ?? duration);
    draw(duration, s, Math.max(s, e), Math.max(0, seconds(fadeIn) ?? 0), Math.max(0, seconds(fadeOut) ?? 0));
  };
  for (const c of [start, end, fadeIn, fadeOut]) c.addEventListener("input", redraw);
  redraw();
  const message = h("div", { "aria-live": "polite" });
  const problems = new Problems();
  const watched = (name, label, control) => problems.watch(name, field(label, control), control, label);
  const fields = [
    watched("trim_start_s", t("trimStart"), start),
    watched("trim_end_s", t("trimEnd"), end),
    watched("fade_in_s", t("fadeIn"), fadeIn),
    watched("fade_out_s", t("fadeOut"), fadeOut),
  ];
  /** The edit's values, or null with each problem said by its field and by the button. */
  const checked = () => {
    problems.reset();
    const values = {};
    for (const [name, control, fallback] of [["trim_start_s", start, 0], ["trim_end_s", end, duration], ["fade_in_s", fadeIn, 0], ["fade_out_s", fadeOut, 0]]) {
      const v = decimal(control);
      if (Number.isNaN(v)) problems.add(name, t("secondsNotNumber"));
      else if (v !== null && v < 0) problems.add(name, t("secondsNegative"));
      else if (v !== null && v > duration + 0.001 && name.startsWith("trim")) problems.add(name, t("secondsPastEnd", { duration: formatNumber(duration, { maximumFractionDigits: 3 }) }));
      values[name] = v ?? fallback;
    }
    if (!problems.any && values.trim_end_s <= values.trim_start_s) problems.add("trim_end_s", t("trimEndBeforeStart"));
    if (problems.any) {
      problems.show();
      return null;
    }
    return values;
  };
  const apply = h("button", { type: "button", class: "quiet apply-edit" }, t("applyEdit"));
  apply.addEventListener("click", async () => {
    clear(message);
    const values = checked();
    if (!values) return;
    apply.disabled = true;
    message.append(h("p", { class: "hint" }, t("editRendering")));
    try {
      const edited = await post(orgPath(`/assets/${assetId}/edits`), {
        ...values,
        // Probed lengths and typed ends differ by a few samples: the end means "to the end".
        trim_end_s: values.trim_end_s >= duration - 0.001 ? null : values.trim_end_s,
      });
      const ready = await waitReady(edited.id);
      if (ready.status === "failed") throw new Error(`${t("asset_failed")} ${ready.failure_reason ?? ""}`);
      clear(message);
      await onApplied(edited.id);
    } catch (err) {
      clear(message);
      problems.fromError(err);
    } finally {
      apply.disabled = false;
    }
  });
  return h(
    "div",
    { class: "trim", role: "group", "aria-label": t("trimTitle") },
    h("div", { class: "row trim-fields" }, fields),
    h("p", { class: "hint" }, t("trimHint", { duration: formatDecimal(duration, 1) })),
    problems.summary,
    apply,
    message,
  );
}
