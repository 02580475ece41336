// Trim and fades of a story's recording: the region is shown on the waveform, and Apply
// renders a new asset on the server (the original stays as it was).
import { get, post } from "./api.js";
import { clear, errorBox, field, h } from "./dom.js";
import { t } from "./i18n.js";
import { waitReady } from "./media.js";
import { orgPath } from "./state.js";
import { readable } from "./ui.js";

const seconds = (control) => (control.value.trim() === "" ? null : Number(control.value));

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
  const number = (name, value) => h("input", { type: "number", name: `${name}-${lang}`, min: 0, max: duration.toFixed(3), step: 0.1, value: value.toFixed(1), inputmode: "decimal", class: "seconds" });
  const start = number("trim-start", 0);
  const end = number("trim-end", duration);
  end.value = duration.toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
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
  const apply = h("button", { type: "button", class: "quiet apply-edit" }, t("applyEdit"));
  apply.addEventListener("click", async () => {
    clear(message);
    apply.disabled = true;
    message.append(h("p", { class: "hint" }, t("editRendering")));
    try {
      const until = seconds(end);
      const edited = await post(orgPath(`/assets/${assetId}/edits`), {
        trim_start_s: seconds(start) ?? 0,
        trim_end_s: until === null || until >= duration ? null : until,
        fade_in_s: seconds(fadeIn) ?? 0,
        fade_out_s: seconds(fadeOut) ?? 0,
      });
      const ready = await waitReady(edited.id);
      if (ready.status === "failed") throw new Error(`${t("asset_failed")} ${ready.failure_reason ?? ""}`);
      clear(message);
      await onApplied(edited.id);
    } catch (err) {
      clear(message);
      message.append(errorBox([readable(err)]));
    } finally {
      apply.disabled = false;
    }
  });
  return h(
    "div",
    { class: "trim", role: "group", "aria-label": t("trimTitle") },
    h("div", { class: "row trim-fields" }, field(t("trimStart"), start), field(t("trimEnd"), end), field(t("fadeIn"), fadeIn), field(t("fadeOut"), fadeOut)),
    h("p", { class: "hint" }, t("trimHint", { duration: duration.toFixed(1) })),
    apply,
    message,
  );
}
