// The one element builder of the web apps: every string given to it becomes a text node or an
// attribute value, never markup (tests/test_no_markup_sinks.py keeps other builders away).

// Attributes that would turn a string into markup or script: h() refuses them.
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

function present(child) {
  return child !== null && child !== undefined && child !== false;
}

function asNode(child) {
  return child instanceof Node ? child : document.createTextNode(String(child));
}

/**
 * An HTML element: h("button", {class: "x", onclick}, "text", child...). Children become text
 * nodes; null, undefined and false attributes or children are skipped; "on…" keys take
 * functions only; a non-string value of a DOM property (hidden, disabled, value…) is set as
 * the property, anything else through setAttribute. HTML only: SVG needs createElementNS.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (!present(value)) continue;
    safeAttribute(key, value);
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat(Infinity).filter(present).map(asNode));
  return node;
}

/** Replace a node's children (strings become text nodes; null, undefined and false are skipped). */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter(present).map(asNode));
  return node;
}

/** Empty a node. */
export function clear(node) {
  node.replaceChildren();
  return node;
}
