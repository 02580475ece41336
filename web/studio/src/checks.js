// The authoring checks beside the map, each linked to its stop.
import { get } from "./api.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { orgPath } from "./state.js";
import { readable } from "./ui.js";

const ICONS = { error: "⛔", warning: "⚠", info: "ℹ" };

/** Fetch and list the checks; onStop(key) selects a stop; nameOf(key) is the stop's name as
 * the mediator gave it (a key such as "stop-4" says nothing about which stop it is). */
export async function renderChecks(section, trail, onStop, nameOf = (key) => key) {
  const refresh = h("button", { type: "button", class: "quiet small", id: "refresh-checks", onclick: () => renderChecks(section, trail, onStop, nameOf) }, t("refresh"));
  clear(section).append(h("div", { class: "section-head" }, h("h2", { id: "checks-title" }, t("checks")), refresh));
  let items;
  try {
    items = await get(orgPath(`/trails/${trail.id}/checks`));
  } catch (err) {
    section.append(h("p", { class: "alert error" }, readable(err)));
    return;
  }
  if (!items.length) {
    section.append(h("p", { class: "ok-line" }, `✓ ${t("noFindings")}`));
    return;
  }
  section.append(
    h(
      "ul",
      { class: "check-list", id: "check-list" },
      items.map((item) =>
        h(
          "li",
          { class: `finding ${item.severity}`, dataset: { code: item.code } },
          h("span", { class: "sev", "aria-label": t(`sev_${item.severity}`), title: t(`sev_${item.severity}`) }, ICONS[item.severity]),
          h(
            "div",
            {},
            item.stop ? h("button", { type: "button", class: "link", onclick: () => onStop(item.stop) }, nameOf(item.stop)) : null,
            h("p", {}, item.message),
          ),
        ),
      ),
    ),
  );
}
