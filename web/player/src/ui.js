// Small DOM helpers and the player state that the page exposes for people and tests.

// Attributes that would turn a string into markup or script: h() refuses them, so that text
// given to it can only ever become text (tests/test_no_markup_sinks.py keeps the rest away).
const MARKUP = new Set(["innerHTML", "outerHTML", "srcdoc"]);
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href"]);

function safeAttribute(key, value) {
  if (MARKUP.has(key) || (key.toLowerCase().startsWith("on") && typeof value !== "function")) {
    throw new TypeError(`h(): refusing to set ${key} from data`);
  }
  if (URL_ATTRIBUTES.has(key) && /^\s*(javascript|vbscript|data):/i.test(String(value).replace(/[\u0000-\u001f]/g, ""))) {
    throw new TypeError(`h(): refusing a script URL in ${key}`);
  }
}

/** Create an element: h("p", {class: "x"}, "text", child); children become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    safeAttribute(k, v);
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replace a node's children, skipping null and false ones. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

const state = {};

/** Merge values into the player state and publish it in #player-state (JSON) and body data-*. */
export function publish(values) {
  Object.assign(state, values);
  const node = document.getElementById("player-state");
  if (node) node.textContent = JSON.stringify(state);
  document.body.dataset.playing = state.playing ?? "";
  document.body.dataset.stored = state.stored ? "true" : "false";
}

/** The current player state. */
export function playerState() {
  return state;
}

/** Show a short message that screen readers announce. */
export function toast(text, kind = "info") {
  const node = document.getElementById("toast");
  node.textContent = text;
  node.className = `show ${kind}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (node.className = ""), 6000);
}
