// The residents' pages in French, Dutch, English or German: ICU MessageFormat messages (one
// JSON file per language in web/contribute/messages/, English the source) formatted with
// FormatJS's intl-messageformat. The choice is remembered on this phone.
import { LANGUAGE_NAMES, createI18n } from "@baladeur/i18n";
import de from "../messages/de.json";
import en from "../messages/en.json";
import fr from "../messages/fr.json";
import nl from "../messages/nl.json";

/** The interface languages, in the order the switch shows them. */
export const LANGUAGES = ["fr", "nl", "en", "de"];
export { LANGUAGE_NAMES };
const i18n = createI18n({ tables: { fr, nl, en, de }, storageKey: "baladeur.contribute.lang", languages: LANGUAGES });
export const { chooseLanguage, language, setLanguage, onLanguage, t, has, locale } = i18n;

/** A size in bytes, in the current language (e.g. "12.5 MB", "12,5 Mo" is left to Intl). */
export function formatSize(bytes) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(locale(), {
    style: "unit",
    unit: units[unit],
    unitDisplay: unit === 0 ? "long" : "short",
    maximumFractionDigits: value < 10 && unit > 0 ? 1 : 0,
  }).format(value);
}

/** A date (and optionally time) in the current language. */
export function formatDate(iso, withTime = false) {
  if (!iso) return "";
  const options = withTime ? { dateStyle: "long", timeStyle: "short" } : { dateStyle: "long" };
  return new Intl.DateTimeFormat(locale(), options).format(new Date(iso));
}

/** A duration as m:ss for the recording timer. */
export function formatClock(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const two = new Intl.NumberFormat(locale(), { minimumIntegerDigits: 2, useGrouping: false });
  return `${Math.floor(whole / 60)}:${two.format(whole % 60)}`;
}
