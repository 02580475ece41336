// What the whole studio shares: the signed-in person, the chosen organisation, the language.
import { t, setLanguage, language } from "./i18n.js";

const ORG_KEY = "baladeur.studio.org";

export const state = {
  me: null,
  // The organisations the person may open: theirs, or every one for an administrator.
  orgs: [],
  org: localStorage.getItem(ORG_KEY),
  config: { tile_url: "", tile_attribution: "" },
};

export function setOrg(slug) {
  state.org = slug;
  if (slug) localStorage.setItem(ORG_KEY, slug);
  else localStorage.removeItem(ORG_KEY);
}

/** The caller's role in the chosen organisation. */
export function role() {
  const o = state.orgs?.find((x) => x.slug === state.org);
  return o ? o.role : null;
}

export function canEdit() {
  return role() === "owner" || role() === "editor";
}

export function orgPath(rest = "") {
  return `/v1/orgs/${encodeURIComponent(state.org)}${rest}`;
}

/** Go to a studio page without reloading. */
export function navigate(path) {
  history.pushState({}, "", path);
  window.dispatchEvent(new Event("studio:route"));
}

export { t, setLanguage, language };
