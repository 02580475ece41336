// The studio's interface texts: ICU MessageFormat messages in web/studio/messages/ (one JSON
// file per language, English the source and the fallback) through the shared @baladeur/i18n.
// The mediator's choice is remembered on this computer.
import { LANGUAGE_NAMES, createI18n } from "@baladeur/i18n";
import de from "../messages/de.json";
import en from "../messages/en.json";
import fr from "../messages/fr.json";
import nl from "../messages/nl.json";

/** The interface languages, in the order the switch shows them. */
export const LANGUAGES = ["fr", "nl", "en", "de"];
export { LANGUAGE_NAMES };
const i18n = createI18n({ tables: { fr, nl, en, de }, storageKey: "baladeur.studio.lang", languages: LANGUAGES, otherwise: "en" });
export const { language, locale, setLanguage, formatNumber, formatBytes } = i18n;

/** Start in the remembered language, else the browser's first among the four, else English. */
export function chooseLanguage() {
  return i18n.chooseLanguage(LANGUAGES);
}

/**
 * The message ``key`` formatted with ``values``, in English when the language lacks it.
 * ``fallback`` is what to show for a key no table has (a state the server added later,
 * shown as it comes); without one such a key shows nothing, never the key itself.
 */
export function t(key, values = {}, fallback = undefined) {
  if (fallback !== undefined && !i18n.has(key)) return fallback;
  return i18n.t(key, values);
}

/** The document's language and the skip link follow the interface language. */
export function applyStatic() {
  document.documentElement.lang = language();
  const skip = document.querySelector(".skip");
  if (skip) skip.textContent = t("skipToContent");
  document.title = `Baladeur · ${t("studio")}`;
}
