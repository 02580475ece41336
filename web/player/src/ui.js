// The player's DOM helpers and the player state that the page exposes for people and tests.

// h() and fill() are the apps' one element builder (web/dom), with its guards.
export { fill, h } from "@baladeur/dom";

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
