// Small DOM helpers: elements from data, labelled fields, a toast for quiet confirmations.

// Attributes that would turn a string into markup or script: h() refuses them, so that text
// given to it can only ever become text (tests/test_no_markup_sinks.py keeps the rest away).
// Names are compared in lower case: setAttribute folds HTML attribute names ("SRCDOC" is
// srcdoc) and property names come camel-cased ("formAction").
const MARKUP = new Set(["innerhtml", "outerhtml", "srcdoc"]);
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "ping"]);
// A URL attribute takes these schemes only (or a relative URL, which is this origin's), read
// with the browser's own URL parser: no spelling of javascript:, vbscript: or data: gets past.
const URL_SCHEMES = new Set(["http:", "https:", "blob:", "mailto:"]);

function safeAttribute(key, value) {
  const name = key.toLowerCase();
  if (MARKUP.has(name) || (name.startsWith("on") && typeof value !== "function")) {
    throw new TypeError(`h(): refusing to set ${key} from data`);
  }
  if (URL_ATTRIBUTES.has(name) && !URL_SCHEMES.has(schemeOf(String(value)))) {
    throw new TypeError(`h(): refusing a script URL in ${key}`);
  }
}

function schemeOf(url) {
  try {
    return new URL(url, document.baseURI).protocol;
  } catch {
    return null;
  }
}

/** An element: h("button", {class: "x", onclick}, "text", child...); children become text. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    safeAttribute(key, value);
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

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

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
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

export function formatBytes(n) {
  if (n == null) return "–";
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

export function formatDate(iso, lang) {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(lang === "fr" ? "fr-BE" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  });
}
