// The trail list: every draft of the organisation, create one, duplicate as a temporary route.
import { all, post } from "./api.js";
import { clear, errorBox, field, h, select, toast } from "./dom.js";
import { Problems } from "./formcheck.js";
import { liveBadge } from "./live.js";
import { language, t } from "./i18n.js";
import { canEdit, navigate, orgPath, state } from "./state.js";
import { link, pick, readable, titleElement } from "./ui.js";
import { slugify } from "./slugs.js";
import { canCreateOrganisations, organisationForm } from "./organisations.js";
import { myInvitations } from "./join.js";

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

// As the server counts it (server/schemas/drafts.py): an event name.
const EVENT_MAX = 80;

function duplicateDialog(trail, onDone) {
  const lang = language();
  const original = pick(trail.title, lang) || trail.slug;
  const slug = h("input", { name: "slug", autocomplete: "off", value: `${trail.slug}-temp` });
  const event = h("input", { name: "event", autocomplete: "off", value: `Festival ${new Date().getFullYear() + 1}` });
  const preview = h("p", { class: "hint", id: "copy-title", "aria-live": "polite" });
  const showTitle = () => (preview.textContent = t("copyTitlePreview", { title: `${original} — ${event.value.trim()}` }));
  event.addEventListener("input", showTitle);
  showTitle();
  const from = h("input", { type: "date", name: "valid_from" });
  const until = h("input", { type: "date", name: "valid_until" });
  const problems = new Problems();
  const wrap = (name, node, control, label) => problems.watch(name, node, control, label);
  const dialog = h("dialog", { class: "card", "aria-labelledby": "dup-title" });
  const form = h(
    "form",
    { method: "dialog", novalidate: true },
    h("h2", { id: "dup-title" }, t("duplicateTitle")),
    h("p", { class: "hint" }, t("duplicateLead")),
    wrap("event", field(t("eventName"), event, t("eventNameHint")), event, t("eventName")),
    preview,
    wrap("slug", field(t("slug"), slug), slug, t("slug")),
    h("div", { class: "row" }, field(t("validFrom"), from), field(t("validUntil"), until)),
    problems.summary,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "quiet", onclick: () => dialog.close() }, t("cancel")),
      h("button", { type: "submit", class: "primary" }, t("duplicate")),
    ),
  );
  const read = () => {
    problems.reset();
    const name = event.value.trim();
    const longest = Math.max(...Object.values(trail.title).map((x) => x.length), 0) + 3 + name.length;
    if (!name) problems.add("event", t("eventNeeded"));
    else if (name.length > EVENT_MAX) problems.add("event", t("tooLong", { max: EVENT_MAX, n: name.length }));
    else if (longest > TITLE_MAX) problems.add("event", t("copyTitleTooLong", { max: TITLE_MAX, n: longest }));
    checkSlug(problems, slug.value.trim());
    if (problems.any) {
      problems.show();
      return null;
    }
    return {
      slug: slug.value.trim(),
      event: name,
      valid_from: from.value ? new Date(`${from.value}T00:00:00`).toISOString() : null,
      valid_until: until.value ? new Date(`${until.value}T23:59:59`).toISOString() : null,
      visibility: "unlisted",
    };
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = read();
    if (!body) return;
    try {
      const copy = await post(orgPath(`/trails/${trail.id}/duplicate`), body);
      dialog.close();
      toast(t("duplicated"));
      onDone(copy);
    } catch (err) {
      problems.reset();
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
    // An administrator on an empty server starts here: by making the first organisation.
    const admin = canCreateOrganisations();
    const invitations = await myInvitations();
    target.append(h("div", { class: "page" }, h("h1", {}, t("trails")), h("p", {}, t(admin ? "noOrganisationAdmin" : "noOrganisation")), invitations, admin ? organisationForm() : null));
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
        titleElement("a", { href: `/studio/trails/${trail.id}`, onclick: link(`/studio/trails/${trail.id}`), class: "trail-title" }, trail.title, lang, trail.slug),
        h(
          "p",
          { class: "meta" },
          h("span", {}, trail.slug),
          h("span", {}, t("stopCount", { n: trail.stop_count })),
          liveBadge(trail),
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
