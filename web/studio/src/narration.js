// Where a stop's story is heard from (trigger semantics 15): in the head, or from a point on
// the map (the story then comes from that direction). The point is placed by a click.
import { haversineM } from "@baladeur/engine";
import { h } from "./dom.js";
import { formatNumber } from "./format.js";
import { t } from "./i18n.js";

/** The "Heard from" fieldset. ``place(cb)`` waits for a click on the map and calls cb([lon,
 * lat]); ``changed(position | null)`` reports each change; ``centre()`` is the zone's [lat, lon]. */
export function narrationField({ position, editable, centre, place, changed }) {
  let current = position ?? null;
  const inHead = h("input", { type: "radio", name: "heard-from", value: "head", id: "heard-head", disabled: !editable });
  const point = h("input", { type: "radio", name: "heard-from", value: "point", id: "heard-point", disabled: !editable });
  const status = h("p", { class: "hint", id: "narration-status", "aria-live": "polite" });
  const placeButton = h("button", { type: "button", class: "quiet", id: "place-narration", onclick: () => start() }, t("placeOnMap"));
  const draw = () => {
    inHead.checked = current === null && !point.checked;
    placeButton.hidden = !editable || !(point.checked || current !== null);
    if (current !== null) {
      point.checked = true;
      const [lat, lon] = centre();
      const metres = Math.round(haversineM(lat, lon, current[1], current[0]));
      status.textContent = t("narrationPlaced", { m: formatNumber(metres) });
    } else status.textContent = point.checked ? t("narrationNotPlaced") : "";
  };
  const start = () => {
    status.textContent = t("placingNarration");
    place((at) => {
      current = at;
      changed(current);
      draw();
    });
  };
  inHead.addEventListener("change", () => {
    current = null;
    changed(null);
    draw();
  });
  point.addEventListener("change", () => {
    draw();
    if (current === null) start();
  });
  draw();
  const node = h(
    "fieldset",
    { class: "heard-from" },
    h("legend", {}, t("heardFrom")),
    h("div", { class: "field check" }, inHead, h("label", { for: "heard-head" }, t("heardInHead"))),
    h("div", { class: "field check" }, point, h("label", { for: "heard-point" }, t("heardFromPoint"))),
    placeButton,
    status,
  );
  /** Show a position set elsewhere (a drag on the map, a reload). */
  const write = (value) => {
    current = value ?? null;
    if (current === null) point.checked = false;
    draw();
  };
  return { node, write };
}
