// An app's interface texts in several languages: ICU MessageFormat messages (one JSON table per
// language, English the source and the fallback) formatted with FormatJS's intl-messageformat.
// Each app makes its own instance with its tables and the storage key that remembers the choice.
// Content languages (a trail's texts: any BCP 47 tag) are apart from these: textDirection() says
// which way each is written, so that Arabic or Hebrew content shows right inside a LTR interface.
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

  // The formatted message in the current language, else English; undefined when neither has it.
  function formatted(key, values) {
    for (const lang of [current, SOURCE]) {
      try {
        const found = formatter(lang, key);
        if (found) return found.format(values);
      } catch (err) {
        console.error(`message ${key} (${lang}):`, err);
      }
    }
    console.error(`no message ${key}`);
    return undefined;
  }

  /** The message ``key`` in the current language (English when missing there), never the key. */
  function t(key, values = {}) {
    const text = formatted(key, values);
    return text === undefined ? "" : String(text);
  }

  /**
   * The message ``key`` as a list of strings and the very values given for its placeholders
   * (DOM nodes, say), for an element builder: a trail's title goes into an interface sentence
   * in its own isolated element, never flattened into the sentence's text.
   */
  function parts(key, values = {}) {
    const text = formatted(key, values);
    if (text === undefined) return [];
    return (Array.isArray(text) ? text : [text]).map((part) => (typeof part === "object" && part !== null ? part : String(part)));
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

  /** A number as the interface's language writes it ("1 234,5" in French). */
  function formatNumber(n, options = {}) {
    return new Intl.NumberFormat(locale(), options).format(n);
  }

  /** Bytes for people: "749 kB", "1,2 Mo" (decimal units, as phones count). */
  function formatBytes(n) {
    if (n < 1000) return formatNumber(n, { style: "unit", unit: "byte", unitDisplay: "short" });
    if (n < 1e6) return formatNumber(Math.round(n / 1000), { style: "unit", unit: "kilobyte", unitDisplay: "short" });
    return formatNumber(n / 1e6, { style: "unit", unit: "megabyte", unitDisplay: "short", maximumFractionDigits: 1 });
  }

  return { languages, chooseLanguage, language, setLanguage, onLanguage, t, parts, has, locale, formatNumber, formatBytes };
}

// Scripts written right to left, by ISO 15924 code: every script whose letters Unicode gives
// the bidirectional class R or AL (derived from the Unicode 14 data), Garay (Unicode 16), and
// the variant codes of Arabic and Syriac that tags may carry. Used where the platform cannot
// tell a language's direction itself.
const RTL_SCRIPTS = new Set(
  (
    "Adlm Arab Aran Armi Avst Chrs Cprt Elym Gara Hatr Hebr Hung Khar Lydi Mand Mani Mend Merc Mero " +
    "Narb Nbat Nkoo Orkh Ougr Palm Phli Phlp Phnx Prti Rohg Samr Sarb Sogd Sogo Syrc Syre Syrj Syrn Thaa Yezi"
  ).split(" "),
);

// The direction the platform gives for a locale ("rtl", "ltr"), or undefined where it has none:
// getTextInfo() (Intl Locale Info), or the textInfo getter of engines before it.
function platformDirection(locale) {
  try {
    const info = typeof locale.getTextInfo === "function" ? locale.getTextInfo() : locale.textInfo;
    return info?.direction === "rtl" || info?.direction === "ltr" ? info.direction : undefined;
  } catch {
    return undefined;
  }
}

// The script a locale is written in: its own script subtag, else the likely one (CLDR's likely
// subtags through maximize()), else undefined.
function scriptOf(locale) {
  try {
    return locale.script ?? locale.maximize().script;
  } catch {
    return undefined;
  }
}

/**
 * The writing direction of a content language given as a BCP 47 tag, for an element's ``dir``:
 * "rtl" (ar, he, fa, ur, az-Arab...), "ltr" (fr, ar-Latn...), or "auto" when the tag is not one
 * (the browser then reads the direction from the text itself).
 */
export function textDirection(tag) {
  let locale;
  try {
    locale = new Intl.Locale(String(tag ?? ""));
  } catch {
    return "auto";
  }
  const told = platformDirection(locale);
  const script = scriptOf(locale);
  // An "ltr" from the platform is checked against the script: the textInfo getter of older V8
  // (Node 20, Chromium before getTextInfo) says "ltr" for any language it has no locale data
  // for, Dhivehi or Arabic-script Azerbaijani among them.
  if (told === "rtl" || RTL_SCRIPTS.has(script)) return "rtl";
  if (told === "ltr" || script) return "ltr";
  return "auto";
}

/** The ``lang`` and ``dir`` attributes of an element showing a text in the content language ``tag``. */
export function contentAttributes(tag) {
  return tag ? { lang: String(tag), dir: textDirection(tag) } : { dir: "auto" };
}
