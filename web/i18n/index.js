// An app's interface texts in several languages: ICU MessageFormat messages (one JSON table per
// language, English the source and the fallback) formatted with FormatJS's intl-messageformat.
// Each app makes its own instance with its tables and the storage key that remembers the choice.
import { IntlMessageFormat } from "intl-messageformat";

/** Each interface language's name in itself, for the switches. */
export const LANGUAGE_NAMES = { fr: "Français", nl: "Nederlands", en: "English", de: "Deutsch" };
const SOURCE = "en";

/** The i18n helpers of one app over its ``tables`` ({lang: {key: message}}). */
export function createI18n({ tables, storageKey, languages = Object.keys(tables), otherwise = SOURCE }) {
  const formatters = new Map();
  let current = otherwise;
  let listeners = [];

  function stored() {
    try {
      return localStorage.getItem(storageKey);
    } catch {
      return null;
    }
  }

  /** Pick the language among ``offered``: the remembered one, else the browser's, else ``otherwise``. */
  function chooseLanguage(offered = languages) {
    const choices = offered.filter((l) => tables[l]);
    if (!choices.length) choices.push(SOURCE);
    const remembered = stored();
    if (remembered && choices.includes(remembered)) {
      current = remembered;
    } else {
      const wanted = (navigator.languages || [navigator.language || ""]).map((l) => l.toLowerCase().split("-")[0]);
      current = wanted.find((l) => choices.includes(l)) || (choices.includes(otherwise) ? otherwise : choices[0]);
    }
    document.documentElement.lang = current;
    return current;
  }

  /** The language in use. */
  function language() {
    return current;
  }

  /** Change the language (remembered), then tell the listeners. */
  function setLanguage(lang) {
    if (!tables[lang]) return;
    current = lang;
    document.documentElement.lang = lang;
    try {
      localStorage.setItem(storageKey, lang);
    } catch {
      // A private window may refuse storage: the choice then lasts for this visit only.
    }
    for (const listener of listeners) listener(lang);
  }

  /** Call ``listener(lang)`` after every change of language. */
  function onLanguage(listener) {
    listeners = [...listeners, listener];
  }

  function formatter(lang, key) {
    const id = `${lang}\u0000${key}`;
    if (!formatters.has(id)) {
      const source = tables[lang]?.[key];
      formatters.set(id, source === undefined ? null : new IntlMessageFormat(source, lang));
    }
    return formatters.get(id);
  }

  /** The message ``key`` in the current language (English when missing there), never the key. */
  function t(key, values = {}) {
    for (const lang of [current, SOURCE]) {
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
  function has(key) {
    return Object.hasOwn(tables[SOURCE] || {}, key);
  }

  /** The locale for numbers and dates: the browser's own variant of the language (nl-BE, en-GB). */
  function locale() {
    const own = (navigator.languages || []).find((l) => l.toLowerCase().split("-")[0] === current);
    return own || current;
  }

  return { languages, chooseLanguage, language, setLanguage, onLanguage, t, has, locale };
}
