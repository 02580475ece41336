// The residents' pages' DOM helpers; h() and clear() are the apps' one element builder (web/dom).
export { clear, h } from "@baladeur/dom";

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
