// The trail list: every draft of the organisation, create one, duplicate as a temporary route.
import { all, post } from "./api.js";
import { field, h, select, toast } from "./dom.js";
import { Problems } from "./formcheck.js";
import { language, t } from "./i18n.js";
import { canEdit, navigate, orgPath, state } from "./state.js";
import { link, pick } from "./ui.js";

function slugify(text) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
}

// The server's rules for an address name and a title (trails/validation.py), said early.
const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SLUG_MAX = 80;
const TITLE_MAX = 200;

/** Check an address name into ``problems`` (field ``slug``). */
function checkSlug(problems, text) {
  if (!text) problems.add("slug", t("slugNeeded"));
  else if (text.length > SLUG_MAX) problems.add("slug", t("tooLong", { max: SLUG_MAX, n: text.length }));
  else if (!SLUG_PATTERN.test(text)) problems.add("slug", t("slugBadCharacters"));
}

function createForm(onDone) {
  const title = h("input", { name: "title", autocomplete: "off" });
  const slug = h("input", { name: "slug", autocomplete: "off" });
  const problems = new Problems();
  const lang = select([["fr", "Français"], ["en", "English"], ["nl", "Nederlands"], ["de", "Deutsch"]], language(), { name: "language" });
  let slugTouched = false;
  slug.addEventListener("input", () => (slugTouched = true));
  title.addEventListener("input", () => {
    if (!slugTouched) slug.value = slugify(title.value);
  });
  const form = h(
    "form",
    { class: "card", id: "new-trail", novalidate: true },
    h("h2", {}, t("newTrail")),
    problems.watch("title", field(t("title"), title), title, t("title")),
    problems.watch("slug", field(t("slug"), slug, t("slugHint")), slug, t("slug")),
    field(t("firstLanguage"), lang, t("languagesLater")),
    problems.summary,
    h("button", { class: "primary", type: "submit" }, t("create")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.reset();
    const text = title.value.trim();
    if (!text) problems.add("title", t("titleNeeded"));
    else if (text.length > TITLE_MAX) problems.add("title", t("tooLong", { max: TITLE_MAX, n: text.length }));
    checkSlug(problems, slug.value.trim());
    if (problems.any) return problems.show();
    try {
      const trail = await post(orgPath("/trails"), {
        slug: slug.value.trim(),
        title: { [lang.value]: text },
        languages: [lang.value],
      });
      toast(t("created"));
      onDone(trail);
    } catch (err) {
      problems.fromError(err);
    }
  });
  return form;
}

function duplicateDialog(trail, onDone) {
  const slug = h("input", { name: "slug", autocomplete: "off", value: `${trail.slug}-temp` });
  const problems = new Problems();
  const from = h("input", { type: "date", name: "valid_from" });
  const until = h("input", { type: "date", name: "valid_until" });
  const dialog = h("dialog", { class: "card", "aria-labelledby": "dup-title" });
  const form = h(
    "form",
    { method: "dialog", novalidate: true },
    h("h2", { id: "dup-title" }, t("duplicateTitle")),
    h("p", { class: "hint" }, t("duplicateLead")),
    problems.watch("slug", field(t("slug"), slug), slug, t("slug")),
    h("div", { class: "row" }, field(t("validFrom"), from), field(t("validUntil"), until)),
    problems.summary,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "quiet", onclick: () => dialog.close() }, t("cancel")),
      h("button", { type: "submit", class: "primary" }, t("duplicate")),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.reset();
    checkSlug(problems, slug.value.trim());
    if (problems.any) return problems.show();
    try {
      const copy = await post(orgPath(`/trails/${trail.id}/duplicate`), {
        slug: slug.value.trim(),
        valid_from: from.value ? new Date(`${from.value}T00:00:00`).toISOString() : null,
        valid_until: until.value ? new Date(`${until.value}T23:59:59`).toISOString() : null,
        visibility: "unlisted",
      });
      dialog.close();
      onDone(copy);
    } catch (err) {
      problems.fromError(err);
    }
  });
  dialog.append(form);
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
}

/** The list page. */
export async function renderTrailList(target) {
  if (!state.org) {
    target.append(h("div", { class: "page" }, h("h1", {}, t("trails")), h("p", {}, t("noOrganisation"))));
    return;
  }
  const trails = await all(orgPath("/trails"));
  const lang = language();
  const open = (trail) => navigate(`/studio/trails/${trail.id}`);
  const rows = trails.map((trail) =>
    h(
      "li",
      { class: "trail-card" },
      h(
        "div",
        { class: "grow" },
        h("a", { href: `/studio/trails/${trail.id}`, onclick: link(`/studio/trails/${trail.id}`), class: "trail-title" }, pick(trail.title, lang) || trail.slug),
        h(
          "p",
          { class: "meta" },
          h("span", {}, trail.slug),
          h("span", {}, t("stopCount", { n: trail.stop_count })),
          h("span", { class: `badge ${trail.visibility}` }, t(`vis_${trail.visibility}`)),
          h("span", {}, trail.current_release ? t("releaseLive", { n: trail.current_release }) : t("neverPublished")),
          trail.valid_until ? h("span", {}, t("temporary")) : null,
        ),
      ),
      canEdit() ? h("button", { type: "button", class: "quiet", onclick: () => duplicateDialog(trail, open) }, t("duplicateAsTemporary")) : null,
    ),
  );
  target.append(
    h(
      "div",
      { class: "page two-col" },
      h(
        "section",
        { "aria-labelledby": "list-title" },
        h("h1", { id: "list-title" }, t("trails")),
        trails.length ? h("ul", { class: "trail-list", id: "trail-list" }, rows) : h("p", { class: "empty" }, t("noTrails")),
      ),
      canEdit() ? h("aside", {}, createForm(open)) : null,
    ),
  );
}
