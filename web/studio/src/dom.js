// The studio's DOM helpers: labelled fields, a toast for quiet confirmations.

// h() and clear() are the apps' one element builder (web/dom); the studio's own helpers follow.
import { h } from "@baladeur/dom";

export { clear, fill, h } from "@baladeur/dom";

let fieldCounter = 0;

/** A label above a control; the control gets an id, a name, and an optional hint below. */
export function field(label, control, hint) {
  const id = control.id || `f${++fieldCounter}`;
  control.id = id;
  const hintNode = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintNode);
}

/** A checkbox with its label on the right. */
export function check(label, control, hint) {
  control.type = "checkbox";
  const id = control.id || `f${++fieldCounter}`;
  control.id = id;
  return h(
    "div",
    { class: "field check" },
    control,
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint" }, hint) : null,
  );
}

export function select(options, value, attrs = {}) {
  return h(
    "select",
    attrs,
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );
}

let toastTimer = null;

/** A short confirmation read out by screen readers. */
export function toast(message) {
  const node = document.getElementById("toast");
  node.textContent = message;
  node.classList.add("shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove("shown"), 3500);
}

/** An error box listing readable lines (role=alert so it is announced). */
export function errorBox(lines, ...extra) {
  return h("div", { class: "alert error", role: "alert" }, h("ul", {}, lines.map((l) => h("li", {}, l))), extra);
}
