// Problems of a form, shown where a mediator looks: under each field and again in a summary
// beside the button. Checks run in the page before sending, and the server's field errors
// land in the same places; nothing typed is ever cleared by a failure.
import { ApiError } from "./api.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { readable } from "./ui.js";

export class Problems {
  constructor() {
    this.summary = h("div", { class: "form-problems", "aria-live": "assertive" });
    this.fields = new Map();
    this.found = [];
  }

  /** Register a field: ``name`` is the API field it sends; ``wrapper`` gets the message slot. */
  watch(name, wrapper, control, label) {
    const slot = h("p", { class: "field-problem", id: `${control.id}-problem`, hidden: true });
    wrapper.append(slot);
    this.fields.set(name, { slot, control, label, wrapper });
    return wrapper;
  }

  /** Forget every message (before a new check). */
  reset() {
    this.found = [];
    clear(this.summary);
    for (const { slot, wrapper } of this.fields.values()) {
      slot.hidden = true;
      slot.textContent = "";
      wrapper.classList.remove("invalid");
      for (const c of wrapper.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
    }
  }

  /** A problem with field ``name`` (or the whole form when null); ``control`` when the field
   * has several (the number of a custom lifetime rather than its list). */
  add(name, text, control = null) {
    const known = name ? this.fields.get(name) : null;
    const target = control ?? known?.control ?? null;
    if (known) {
      known.slot.textContent = known.slot.textContent ? `${known.slot.textContent} ${text}` : text;
      known.slot.hidden = false;
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-errormessage", known.slot.id);
      known.wrapper.classList.add("invalid");
    }
    this.found.push({ name: known ? name : null, text, control: known ? target : null });
  }

  /** Whether anything was found since the last reset. */
  get any() {
    return this.found.length > 0;
  }

  /** Draw the summary by the button and move focus to the first field with a problem. */
  show() {
    clear(this.summary);
    if (!this.found.length) return;
    const lines = this.found.map(({ name, text }) => {
      const known = name ? this.fields.get(name) : null;
      return h("li", {}, known ? `${known.label}: ${text}` : text);
    });
    this.summary.append(h("div", { class: "alert error", role: "alert" }, h("p", {}, t("formHasProblems")), h("ul", {}, lines)));
    this.found.find((p) => p.control)?.control.focus();
  }

  /** The server's answer to a send: its field errors next to their fields, else one sentence.
   * ``words(name, error)`` may say a known field's problem in the form's own words. */
  fromError(err, words = (_name, e) => e.message) {
    const errors = err instanceof ApiError && err.status === 422 ? err.errors : [];
    if (!errors.length) this.add(null, readable(err));
    for (const e of errors) {
      // "body.stop_id" or "stop_id": the last known part names the field.
      const parts = String(e.field ?? "").split(".");
      const name = parts.reverse().find((p) => this.fields.has(p)) ?? null;
      this.add(name, name ? words(name, e) : `${e.field ? `${e.field}: ` : ""}${e.message}`);
    }
    this.show();
  }
}

/** A typed decimal number: ``null`` when the box is empty, ``NaN`` when it is not a number.
 * A comma is read as the decimal mark, as a French or Dutch mediator types it. */
export function decimal(control) {
  const text = control.value.trim().replace(",", ".");
  if (text === "") return null;
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
}
