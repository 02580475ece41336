// One trail: its header, tabs (map and stops, details, publish) and the details form.
import { contentAttributes } from "@baladeur/i18n";
import { call } from "./api.js";
import { field, h, select } from "./dom.js";
import { coverSection } from "./cover.js";
import { EditForm } from "./editform.js";
import { Problems } from "./formcheck.js";
import { language, t } from "./i18n.js";
import { renderMapEditor } from "./mapedit.js";
import { liveBadge, refreshLive, showDraftState } from "./live.js";
import { renderPublish } from "./publish.js";
import { canEdit, orgPath } from "./state.js";
import { link, titleElement } from "./ui.js";

const TABS = ["map", "details", "publish"];

/** The trail page with its tab. */
export async function renderTrail(target, id, tab) {
  const path = orgPath(`/trails/${id}`);
  const { data: trail } = await call("GET", path);
  const lang = language();
  const base = `/studio/trails/${id}`;
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": t("trailSections") },
    TABS.map((name) =>
      h("a", { href: name === "map" ? base : `${base}/${name}`, id: `tab-${name}`, onclick: link(name === "map" ? base : `${base}/${name}`), "aria-current": name === tab ? "page" : null }, t(`tab_${name}`)),
    ),
  );
  // Filled once the comparison with the live release is known: a link to publish the changes.
  const draftState = h("span", { id: "draft-state" });
  showDraftState(draftState, trail);
  const head = h(
    "div",
    { class: "trail-head" },
    h("a", { href: "/studio", onclick: link("/studio"), class: "back" }, `← ${t("trails")}`),
    titleElement("h1", { id: "trail-title" }, trail.title, lang, trail.slug),
    liveBadge(trail),
    draftState,
    tabs,
  );
  const body = h("div", { class: `trail-body tab-${tab}` });
  target.append(head, body);
  if (tab === "details") renderDetails(body, trail, path);
  else if (tab === "publish") await renderPublish(body, trail);
  else await renderMapEditor(body, trail);
}

function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

function renderDetails(body, trail, path) {
  const form = new EditForm({
    path,
    object: trail,
    build: () => {
      const languages = langs.value.split(",").map((s) => s.trim()).filter(Boolean);
      const title = {};
      const description = {};
      for (const l of languages) {
        const ti = body.querySelector(`[name="title-${l}"]`);
        const de = body.querySelector(`[name="description-${l}"]`);
        if (ti?.value) title[l] = ti.value;
        if (de?.value) description[l] = de.value;
      }
      return {
        title,
        description,
        languages,
        mode: mode.value,
        visibility: visibility.value,
        valid_from: fromLocalInput(from.value),
        valid_until: fromLocalInput(until.value),
        licence: licence.value || null,
        ...(code.value ? { access_code: code.value } : {}),
      };
    },
    onSaved: (data) => {
      document.getElementById("trail-title").replaceWith(titleElement("h1", { id: "trail-title" }, data.title, language(), data.slug));
      refreshLive(data);
      showDraftState(document.getElementById("draft-state"), data);
    },
  });
  const langs = form.bind("languages", h("input", { name: "languages" }), (o) => o.languages.join(", "));
  const perLanguage = h("div", { class: "per-language" });
  // Fieldsets are kept per language, so what was typed survives a change of the list.
  const sets = new Map();
  const drawLanguages = () => {
    const wanted = langs.value.split(",").map((s) => s.trim()).filter(Boolean);
    for (const l of wanted) {
      if (sets.has(l)) continue;
      const ti = form.bind(`title-${l}`, h("input", { name: `title-${l}`, ...contentAttributes(l) }), (o) => o.title[l] ?? "");
      const de = form.bind(`description-${l}`, h("textarea", { name: `description-${l}`, ...contentAttributes(l), rows: 4 }), (o) => o.description[l] ?? "");
      sets.set(l, h("fieldset", {}, h("legend", {}, t("inLanguage", { lang: l.toUpperCase() })), field(t("title"), ti), field(t("description"), de)));
    }
    perLanguage.replaceChildren(...wanted.map((l) => sets.get(l)));
  };
  // On every keystroke, not on change: a change fires on the mousedown of Save and would
  // move the button away from under the pointer.
  langs.addEventListener("input", drawLanguages);
  drawLanguages();
  const mode = form.bind("mode", select([["free", t("mode_free")], ["sequential", t("mode_sequential")]], trail.mode, { name: "mode" }), (o) => o.mode);
  const visibility = form.bind(
    "visibility",
    select([["public", t("vis_public")], ["unlisted", t("vis_unlisted")], ["private", t("vis_private")]], trail.visibility, { name: "visibility" }),
    (o) => o.visibility,
  );
  const code = h("input", { name: "access_code", autocomplete: "off", placeholder: trail.has_access_code ? "••••••" : "" });
  const from = form.bind("valid_from", h("input", { type: "datetime-local", name: "valid_from" }), (o) => toLocalInput(o.valid_from));
  const until = form.bind("valid_until", h("input", { type: "datetime-local", name: "valid_until" }), (o) => toLocalInput(o.valid_until));
  const licence = form.bind("licence", h("input", { name: "licence", placeholder: "CC-BY-4.0" }), (o) => o.licence ?? "");
  const editable = canEdit();
  const problems = new Problems();
  form.problems = problems;
  // A half-typed date reads as empty: sending it would clear the date without a word.
  form.check = (found) => {
    for (const [name, control] of [["valid_from", from], ["valid_until", until]]) if (control.validity.badInput) found.add(name, t("dateIncomplete"));
  };
  const watched = (name, label, control, hint) => problems.watch(name, field(label, control, hint), control, label);
  const formNode = h(
    "form",
    { class: "card details", id: "trail-details", novalidate: true },
    h("h2", {}, t("tab_details")),
    watched("languages", t("languages"), langs, t("languagesHint")),
    perLanguage,
    h("div", { class: "row" }, field(t("mode"), mode, t("modeHint")), field(t("visibility"), visibility, t("visibilityHint"))),
    watched("access_code", t("accessCode"), code, t("accessCodeHint")),
    h("div", { class: "row" }, watched("valid_from", t("validFrom"), from), watched("valid_until", t("validUntil"), until)),
    h("p", { class: "hint" }, t("validityHint")),
    h("p", { class: "hint", id: "apply-on-publish" }, t("datesApplyOnPublish")),
    watched("licence", t("licence"), licence),
    problems.summary,
    form.message,
    editable ? h("button", { type: "submit", class: "primary" }, t("save")) : null,
  );
  formNode.addEventListener("submit", (event) => {
    event.preventDefault();
    form.save();
  });
  if (!editable) for (const c of formNode.querySelectorAll("input,select,textarea")) c.disabled = true;
  body.append(formNode, coverSection(trail, path, form, editable));
}


