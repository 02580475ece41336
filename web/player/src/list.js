// The /play page: published trails (fetched without the visitor's position) and stored ones,
// sorted by distance on the phone when the visitor asks.
import { haversineM } from "@baladeur/engine";
import { contentElement, pickText } from "./content.js";
import { formatBytes, formatDateRange, formatDistance, t } from "./i18n.js";
import { storageUsed, storedTrails } from "./store.js";
import { fill, h, publish } from "./ui.js";

async function catalogue() {
  const items = [];
  for (let offset = 0; ; offset += 200) {
    const response = await fetch(`/v1/trails?limit=200&offset=${offset}`);
    if (!response.ok) throw new Error(response.statusText);
    const page = await response.json();
    items.push(...page.items);
    if (page.items.length < 200) return items;
  }
}

function card(item, stored, distance) {
  const facts = [
    item.length_m ? formatDistance(item.length_m) : null,
    item.stop_count ? t("stopCount", { n: item.stop_count }) : null,
    item.languages ? item.languages.map((l) => l.toUpperCase()).join(" · ") : null,
  ].filter(Boolean);
  return h(
    "li",
    {},
    h(
      "a",
      { class: "card", href: `/play/${item.slug}`, "data-slug": item.slug },
      contentElement("span", { class: "card-title" }, pickText(item.title, item.languages ?? [])),
      h("span", { class: "card-facts" }, facts.join(" — ")),
      h(
        "span",
        { class: "card-badges" },
        stored ? h("span", { class: "badge ok" }, `✓ ${t("downloaded")}`) : null,
        distance !== null ? h("span", { class: "badge" }, t("kmAway", { d: formatDistance(distance) })) : null,
      ),
      item.valid_from || item.valid_until ? h("span", { class: "card-dates" }, formatDateRange(item.valid_from, item.valid_until)) : null,
    ),
  );
}

/** Render the trail list into main. */
export async function renderList(main) {
  fill(main, h("h1", {}, t("trails")), h("p", { class: "muted" }, t("loading")));
  const stored = await storedTrails();
  const storedSlugs = new Set(stored.map((r) => r.slug));
  let items;
  let offline = false;
  try {
    items = await catalogue();
  } catch {
    offline = true;
    items = [];
  }
  // Trails on this phone are always listed: offline, and unlisted ones the catalogue leaves out.
  const listed = new Set(items.map((i) => i.slug));
  for (const r of stored) {
    if (!listed.has(r.slug)) {
      items.push({ slug: r.slug, title: r.title, languages: r.languages ?? Object.keys(r.title), valid_from: r.valid_from, valid_until: r.valid_until });
    }
  }
  let position = null;
  const list = h("ul", { class: "cards", id: "trail-list" });
  const draw = () => {
    const rows = items.map((item) => {
      const start = item.start?.coordinates;
      const d = position && start ? haversineM(position.lat, position.lon, start[1], start[0]) : null;
      return { item, d };
    });
    if (position) rows.sort((a, b) => (a.d ?? Infinity) - (b.d ?? Infinity));
    list.replaceChildren(...rows.map(({ item, d }) => card(item, storedSlugs.has(item.slug), d)));
    if (!rows.length) list.append(h("li", { class: "muted" }, t("noTrails")));
  };
  const sortButton = h("button", {
    type: "button",
    class: "btn secondary",
    id: "sort-near",
    onclick: () =>
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          position = { lat: pos.coords.latitude, lon: pos.coords.longitude };
          draw();
        },
        () => {},
        { enableHighAccuracy: false, maximumAge: 300000, timeout: 20000 },
      ),
  }, t("sortNear"));
  draw();
  const used = await storageUsed();
  fill(main, 
    h("h1", {}, t("trails")),
    offline ? h("p", { class: "notice" }, t("offlineList")) : null,
    list,
    h("div", { class: "row" }, sortButton),
    h("p", { class: "muted small" }, t("sortNearHelp")),
    used ? h("p", { class: "muted small", id: "storage" }, t("storage", { s: formatBytes(used) })) : null,
  );
  publish({ page: "list", trails: items.map((i) => i.slug), offline });
}
