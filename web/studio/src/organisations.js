// Organisations: every team on the server (administrators), and making a new one.
import { ApiError, post } from "./api.js";
import { field, h, toast } from "./dom.js";
import { Problems } from "./formcheck.js";
import { t } from "./i18n.js";
import { setOrg, state } from "./state.js";
import { slugify } from "./slugs.js";

// The server's limit on a name (server/schemas/accounts.py, OrganisationName).
const NAME_MAX = 200;
const SLUG_MAX = 60;

/** Whether the signed-in person may make organisations here (server administrators). */
export function canCreateOrganisations() {
  return Boolean(state.me?.is_admin);
}

/** Open an organisation: the studio reloads who the person is, then shows its trails. */
export function enterOrganisation(slug) {
  setOrg(slug);
  history.pushState({}, "", "/studio");
  window.dispatchEvent(new Event("studio:refresh"));
}

/** The form that makes an organisation, then lands in it. */
export function organisationForm(onMade = enterOrganisation) {
  const problems = new Problems();
  const name = h("input", { id: "org-name", name: "name", autocomplete: "organization" });
  const slug = h("input", { id: "org-slug", name: "slug", class: "mono", spellcheck: "false" });
  let slugTouched = false;
  slug.addEventListener("input", () => (slugTouched = slug.value !== ""));
  // The address follows the name until the person writes their own.
  name.addEventListener("input", () => {
    if (!slugTouched) slug.value = slugify(name.value, SLUG_MAX);
  });
  const button = h("button", { class: "primary", type: "submit", id: "create-organisation" }, t("createOrganisation"));
  const form = h(
    "form",
    { class: "card", id: "new-organisation", novalidate: true },
    h("h2", {}, t("newOrganisation")),
    problems.watch("name", field(t("organisationName"), name, t("organisationNameHint")), name, t("organisationName")),
    problems.watch("slug", field(t("organisationSlug"), slug, t("organisationSlugHint")), slug, t("organisationSlug")),
    problems.summary,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.reset();
    const body = { name: name.value.trim(), slug: slug.value.trim() };
    if (!body.name) problems.add("name", t("organisationNameNeeded"));
    else if (body.name.length > NAME_MAX) problems.add("name", t("tooLong", { max: NAME_MAX, n: body.name.length }));
    if (!body.slug) problems.add("slug", t("organisationSlugNeeded"));
    else if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(body.slug) || body.slug.length > SLUG_MAX) problems.add("slug", t("organisationSlugShape"));
    if (problems.any) return problems.show();
    button.disabled = true;
    try {
      const made = await post("/v1/orgs", body);
      toast(t("organisationCreated", { name: made.name }));
      onMade(made.slug);
    } catch (err) {
      // A taken address is the only conflict creating can meet: it belongs to the slug field.
      if (err instanceof ApiError && err.status === 409) {
        problems.add("slug", err.message);
        problems.show();
      } else problems.fromError(err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** The organisations page: the list the person can switch to, and the form for a new one. */
export async function renderOrganisations(target) {
  const rows = (state.orgs ?? []).map((o) =>
    h(
      "li",
      { class: "trail-card", dataset: { org: o.slug } },
      h(
        "div",
        { class: "grow" },
        h("button", { type: "button", class: "link trail-title", onclick: () => enterOrganisation(o.slug) }, o.name),
        h("p", { class: "meta" }, h("span", { class: "mono" }, o.slug), h("span", {}, t(`role_${o.role}`))),
      ),
    ),
  );
  target.append(
    h(
      "div",
      { class: "page two-col" },
      h(
        "section",
        { "aria-labelledby": "orgs-title" },
        h("h1", { id: "orgs-title" }, t("organisations")),
        rows.length ? h("ul", { class: "trail-list", id: "organisation-list" }, rows) : h("p", { class: "empty" }, t("noOrganisations")),
      ),
      canCreateOrganisations() ? h("aside", {}, organisationForm()) : null,
    ),
  );
}
