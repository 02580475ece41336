// A trail's audience figures on its Publish tab: completed downloads per day as a bar chart
// (plain SVG, its words as text nodes), the total in words, and a link to the same as CSV.
// The server keeps only a number per trail and day; nothing about visitors reaches the page.
import { get } from "./api.js";
import { clear, field, h } from "./dom.js";
import { formatDay, formatDayRange, formatNumber } from "./format.js";
import { t } from "./i18n.js";
import { readable } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";
const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;

const iso = (d) => d.toISOString().slice(0, 10);

/** An SVG element with attributes and, if given, its text (a text node). */
function svg(name, attrs = {}, text = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = String(text);
  return node;
}

/** The bars: one per day, its count above it, a few dates below. */
export function audienceChart(figures) {
  const days = figures.days;
  const width = 700;
  const height = 180;
  const bottom = 24;
  const top = 16;
  const most = Math.max(1, ...days.map((d) => d.downloads));
  const slot = width / Math.max(1, days.length);
  const label = t("audienceChart", { range: formatDayRange(figures.from, figures.to) });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", id: "audience-chart", "aria-label": label });
  chart.append(svg("title", {}, label));
  const every = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((d, i) => {
    const barH = ((height - bottom - top) * d.downloads) / most;
    const x = i * slot + slot * 0.15;
    const y = height - bottom - barH;
    const bar = svg("rect", { class: "bar", x, y, width: slot * 0.7, height: Math.max(d.downloads ? 1 : 0, barH), "data-day": d.day, "data-downloads": d.downloads });
    bar.append(svg("title", {}, `${formatDay(d.day)}: ${formatNumber(d.downloads)}`));
    chart.append(bar);
    if (d.downloads) chart.append(svg("text", { class: "count", x: x + slot * 0.35, y: y - 3, "text-anchor": "middle" }, formatNumber(d.downloads)));
    if (i % every === 0) chart.append(svg("text", { class: "axis", x: i === 0 ? 0 : x + slot * 0.35, y: height - 6, "text-anchor": i === 0 ? "start" : "middle" }, formatDay(d.day, { year: false })));
  });
  return chart;
}

/** The Audience card of a trail (editors and owners). */
export function audienceSection(trail, base) {
  const today = new Date();
  const from = h("input", { type: "date", name: "audience-from", id: "audience-from", value: iso(new Date(today.getTime() - (DEFAULT_DAYS - 1) * DAY_MS)) });
  const to = h("input", { type: "date", name: "audience-to", id: "audience-to", value: iso(today) });
  const result = h("div", { id: "audience-result", "aria-live": "polite" });
  const csv = h("a", { class: "button quiet", id: "audience-csv", download: "" }, t("audienceCsv"));
  const section = h(
    "section",
    { class: "card audience", id: "audience", "aria-labelledby": "audience-title" },
    h("h2", { id: "audience-title" }, t("audience")),
    h("p", { class: "hint" }, t("audienceLead")),
    h("form", { class: "row tight", id: "audience-form", novalidate: true }, field(t("audienceFrom"), from), field(t("audienceTo"), to), h("button", { type: "submit", class: "quiet", id: "audience-show" }, t("audienceShow")), csv),
    result,
  );
  const show = async () => {
    const range = `from=${encodeURIComponent(from.value)}&to=${encodeURIComponent(to.value)}`;
    csv.href = `${base}/audience.csv?${range}`;
    try {
      const figures = await get(`${base}/audience?${range}`);
      section.dataset.total = String(figures.total);
      clear(result).append(
        h("p", { id: "audience-total" }, figures.total ? t("audienceTotal", { count: figures.total, range: formatDayRange(figures.from, figures.to) }) : t("audienceNone")),
        audienceChart(figures),
      );
    } catch (err) {
      clear(result).append(h("p", { class: "alert error", role: "alert" }, readable(err)));
    }
  };
  section.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  show();
  return section;
}
