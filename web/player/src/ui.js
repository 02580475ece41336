// Small DOM helpers and the player state that the page exposes for people and tests.

/**
 * Create an element: h("p", {class: "x"}, "text", child). Text goes in as text nodes and
 * attributes through setAttribute, neither of which ever parses markup; "on…" keys take
 * functions only (addEventListener refuses a string of code). Links are built from slugs
 * and server paths only.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
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
