// Numbers, sizes, durations, dates and date ranges as the studio's language writes them,
// through Intl (the browser's own locale data): "1,2 MB", "4,1 s", "12 juin 2026, 10:00".
import { formatBytes as i18nBytes, formatNumber, locale } from "./i18n.js";

export { formatNumber };

/** A number with exactly ``digits`` decimals: "4,1" in French for 4.1 s. */
export function formatDecimal(n, digits = 1) {
  return formatNumber(n, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Bytes for people: "749 kB", "1.2 MB"; "–" when unknown. */
export function formatBytes(n) {
  return n == null ? "–" : i18nBytes(n);
}

/** A length of audio for people: "45 s", "12 min et 34 s", "1 Std., 3 Min." (no seconds past an hour). */
export function formatDuration(seconds) {
  if (seconds == null) return "–";
  const total = Math.round(seconds);
  const parts = { hours: Math.floor(total / 3600), minutes: Math.floor((total % 3600) / 60), seconds: total % 60 };
  if (parts.hours) parts.seconds = 0;
  // "short", not "narrow": Dutch writes a narrow minute "m", which reads as metres.
  if ("DurationFormat" in Intl) return new Intl.DurationFormat(locale(), { style: "short" }).format(parts);
  // Older browsers (and node 20) have no Intl.DurationFormat: each unit by NumberFormat.
  return Object.entries({ hours: "hour", minutes: "minute", seconds: "second" })
    .filter(([name]) => parts[name] || (name === "seconds" && total === 0))
    .map(([name, unit]) => formatNumber(parts[name], { style: "unit", unit, unitDisplay: "short" }))
    .join(" ");
}

const MOMENT = { dateStyle: "medium", timeStyle: "short" };

/** A moment (ISO text) for people, in their language; "–" when there is none. */
export function formatDate(iso) {
  if (!iso) return "–";
  return new Intl.DateTimeFormat(locale(), MOMENT).format(new Date(iso));
}

const DAY = { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" };

/** A calendar day ("2026-06-12", as the API counts days, in UTC): "12 juin 2026", or "12 juin". */
export function formatDay(isoDay, { year = true } = {}) {
  const style = year ? DAY : { ...DAY, year: undefined };
  return new Intl.DateTimeFormat(locale(), style).format(new Date(`${isoDay}T00:00:00Z`));
}

/** Two calendar days as one span, the shared parts written once: "3–9 déc. 2026". */
export function formatDayRange(fromDay, toDay) {
  return new Intl.DateTimeFormat(locale(), DAY).formatRange(new Date(`${fromDay}T00:00:00Z`), new Date(`${toDay}T00:00:00Z`));
}

/** A number with a real minus sign (U+2212), as gains are printed: "−6,5". */
export function formatSigned(n, options = {}) {
  return formatNumber(n, options).replace("-", "\u2212");
}

/** A gain in decibels: "−6 dB", "−6,5 dB". */
export function formatDb(db) {
  return `${formatSigned(db, { maximumFractionDigits: 1 })} dB`;
}
