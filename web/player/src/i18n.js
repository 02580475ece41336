// The player's interface texts: ICU MessageFormat messages in web/player/messages/ (one JSON
// file per language, English the source and the fallback) through the shared @baladeur/i18n.
// The visitor's choice is kept on the phone.
import { LANGUAGE_NAMES, createI18n } from "@baladeur/i18n";
import de from "../messages/de.json";
import en from "../messages/en.json";
import fr from "../messages/fr.json";
import nl from "../messages/nl.json";

/** The interface languages, in the order the switch shows them. */
export const LANGUAGES = ["fr", "nl", "en", "de"];
export { LANGUAGE_NAMES };
// French when the browser asks for none of the four: the first trails are Charleroi's.
const i18n = createI18n({ tables: { fr, nl, en, de }, storageKey: "baladeur.lang", languages: LANGUAGES, otherwise: "fr" });
export const { chooseLanguage, language, setLanguage, t, parts, formatNumber, formatBytes } = i18n;

/** Metres for people: "850 m" or "2,1 km". */
export function formatDistance(m) {
  if (m < 1000) return formatNumber(Math.round(m), { style: "unit", unit: "meter", unitDisplay: "short" });
  return formatNumber(m / 1000, { style: "unit", unit: "kilometer", unitDisplay: "short", maximumFractionDigits: 1 });
}

const DATE_STYLE = { dateStyle: "long", timeStyle: "short" };

/** A moment (ISO text or ms) for people, in their language: "12 juin 2026 à 10:00". */
export function formatDate(when) {
  return new Intl.DateTimeFormat(language(), DATE_STYLE).format(new Date(when));
}

/** A span between two moments, in the visitor's language; an open end shows its one date. */
export function formatDateRange(from, until) {
  const format = new Intl.DateTimeFormat(language(), DATE_STYLE);
  if (from && until) return format.formatRange(new Date(from), new Date(until));
  return t(from ? "fromDate" : "untilDate", { d: format.format(new Date(from || until)) });
}
