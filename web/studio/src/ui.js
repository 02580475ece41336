// Shared page helpers: readable error sentences, in-app links, titles shown in their language.
import { contentAttributes } from "@baladeur/i18n";
import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { navigate } from "./state.js";

/** A sentence for any failure. */
export function readable(err) {
  if (!(err instanceof ApiError)) return String(err?.message || err);
  if (err.status === 0) return t("networkError");
  if (err.status === 429) return t("tooMany");
  if (err.status === 403) return t("forbidden");
  if (err.status === 412) return t("conflict");
  return err.lines().join(" · ");
}

/** A click handler that moves within the studio without reloading. */
export function link(path) {
  return (event) => {
    if (event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    navigate(path);
  };
}

/** The language and text of a multilingual title: in the interface language, else any. */
function pickEntry(texts, lang) {
  if (texts?.[lang] != null) return [lang, texts[lang]];
  return Object.entries(texts ?? {})[0] ?? [null, ""];
}

/** The text of a multilingual title in the interface language, else any. */
export function pick(texts, lang) {
  return pickEntry(texts, lang)[1];
}

/**
 * A multilingual title to show in ``tag`` (``otherwise`` when it has none): it carries the lang
 * and dir of the language its text is in, so an Arabic title reads right to left in any studio.
 */
export function titleElement(tag, attrs, texts, lang, otherwise) {
  const [language, text] = pickEntry(texts, lang);
  return text ? h(tag, { ...attrs, ...contentAttributes(language) }, text) : h(tag, { ...attrs, ...contentAttributes(null) }, otherwise);
}

/** A title in a line of other words (a list, a label): a span of its own language and direction. */
export function titleSpan(texts, lang, otherwise) {
  return titleElement("span", {}, texts, lang, otherwise);
}
