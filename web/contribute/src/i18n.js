// The residents' pages in French, Dutch, English or German: ICU MessageFormat messages (one
// JSON file per language in web/contribute/messages/, English the source) formatted with
// FormatJS's intl-messageformat. The choice is remembered on this phone.
import { IntlMessageFormat } from "intl-messageformat";
import de from "../messages/de.json";
import en from "../messages/en.json";
import fr from "../messages/fr.json";
import nl from "../messages/nl.json";

const TABLES = { fr, nl, en, de };
/** The interface languages, in the order the switch shows them. */
export const LANGUAGES = ["fr", "nl", "en", "de"];
/** Each language's name in itself, for the switch. */
export const LANGUAGE_NAMES = { fr: "Français", nl: "Nederlands", en: "English", de: "Deutsch" };
const KEY = "baladeur.contribute.lang";
const formatters = new Map();
let current = "en";
let listeners = [];

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Pick the language among ``offered``: the remembered one, else the browser's, else the first. */
export function chooseLanguage(offered = LANGUAGES) {
  const choices = offered.filter((l) => TABLES[l]);
  if (!choices.length) choices.push("en");
  const remembered = stored();
  if (remembered && choices.includes(remembered)) {
    current = remembered;
  } else {
    const wanted = (navigator.languages || [navigator.language || ""]).map((l) => l.toLowerCase().split("-")[0]);
    current = wanted.find((l) => choices.includes(l)) || (choices.includes("en") ? "en" : choices[0]);
  }
  document.documentElement.lang = current;
  return current;
}

/** The language in use. */
export function language() {
  return current;
}

/** Change the language (remembered), then redraw through the listeners. */
export function setLanguage(lang) {
  if (!TABLES[lang]) return;
  current = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // A private window may refuse storage: the choice then lasts for this visit only.
  }
  for (const listener of listeners) listener(lang);
}

/** Call ``listener(lang)`` after every change of language. */
export function onLanguage(listener) {
  listeners = [...listeners, listener];
}

function formatter(lang, key) {
  const id = `${lang}\u0000${key}`;
  if (!formatters.has(id)) {
    const source = TABLES[lang][key];
    formatters.set(id, source === undefined ? null : new IntlMessageFormat(source, lang));
  }
  return formatters.get(id);
}

/** The message ``key`` in the current language (English when missing there), never the key. */
export function t(key, values = {}) {
  for (const lang of [current, "en"]) {
    try {
      const found = formatter(lang, key);
      if (found) return String(found.format(values));
    } catch (err) {
      console.error(`message ${key} (${lang}):`, err);
    }
  }
  console.error(`no message ${key}`);
  return "";
}

/** Whether a message exists (in English, the source). */
export function has(key) {
  return Object.hasOwn(en, key);
}

/** The locale for numbers and dates: the browser's own variant of the language (nl-BE, en-GB). */
function locale() {
  const own = (navigator.languages || []).find((l) => l.toLowerCase().split("-")[0] === current);
  return own || current;
}

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
