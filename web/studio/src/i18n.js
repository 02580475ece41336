// French and English for the interface; the choice is remembered on this computer.
import { EN, FR } from "./messages.js";

const KEY = "baladeur.studio.lang";
const TABLES = { fr: FR, en: EN };
let current = localStorage.getItem(KEY) || (navigator.language?.startsWith("en") ? "en" : "fr");
if (!TABLES[current]) current = "fr";

export function language() {
  return current;
}

export function setLanguage(lang) {
  if (!TABLES[lang]) return;
  current = lang;
  localStorage.setItem(KEY, lang);
}

/** The message ``key`` with {placeholders} filled; ``fallback`` when no table has it. */
export function t(key, vars = {}, fallback = undefined) {
  let text = TABLES[current][key] ?? EN[key] ?? fallback ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

/** The document's language and the skip link follow the interface language. */
export function applyStatic() {
  document.documentElement.lang = current;
  const skip = document.querySelector(".skip");
  if (skip) skip.textContent = t("skipToContent");
  document.title = `Baladeur · ${t("studio")}`;
}
