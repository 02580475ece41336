// Shared page helpers: readable error sentences and in-app links.
import { ApiError } from "./api.js";
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

/** The text of a multilingual title in the interface language, else any. */
export function pick(texts, lang) {
  if (!texts) return "";
  return texts[lang] ?? Object.values(texts)[0] ?? "";
}
