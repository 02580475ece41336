// Small DOM helpers: elements from data whose strings only ever become text nodes.

// Attributes that would turn a string into markup or script: h() refuses them, so that text
// given to it can only ever become text (tests/test_no_markup_sinks.py keeps the rest away).
const MARKUP = new Set(["innerhtml", "outerhtml", "srcdoc"]);
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "ping"]);
// A URL attribute takes these schemes only (or a relative URL, which is this origin's).
const URL_SCHEMES = new Set(["http:", "https:", "blob:"]);

function schemeOf(url) {
  try {
    return new URL(url, document.baseURI).protocol;
  } catch {
    return null;
  }
}

function safeAttribute(key, value) {
  const name = key.toLowerCase();
  if (MARKUP.has(name) || (name.startsWith("on") && typeof value !== "function")) {
    throw new TypeError(`h(): refusing to set ${key} from data`);
  }
  if (URL_ATTRIBUTES.has(name) && !URL_SCHEMES.has(schemeOf(String(value)))) {
    throw new TypeError(`h(): refusing a script URL in ${key}`);
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
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Empty a node. */
export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

let counter = 0;

/** A fresh element id. */
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}${counter}`;
}

/** Say something to screen readers through the page's live region. */
export function announce(text) {
  const live = document.getElementById("live");
  live.textContent = "";
  // A new text node after a tick: the same sentence twice is announced twice.
  setTimeout(() => {
    live.textContent = text;
  }, 30);
}
