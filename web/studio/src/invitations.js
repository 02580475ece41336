// Invitation links for a workshop or a festival stand: make one (for a stop of a trail or a
// topic), hand it out as a link, a QR code or a printed A5 sheet, follow and revoke them.
import { all, call, post } from "./api.js";
import { check, clear, errorBox, field, h, select, toast } from "./dom.js";
import { formatDate, formatNumber } from "./format.js";
import { Problems } from "./formcheck.js";
import { LICENCE_IDS, licenceName } from "./licences.js";
import { language, t } from "./i18n.js";
import { canEdit, orgPath } from "./state.js";
import { pick, readable } from "./ui.js";

// The interface languages a resident's page can offer (the contract of issue 18).
const RESIDENT_LANGUAGES = ["fr", "nl", "en", "de"];
const HOUR = 3600;
const DAY = 24 * HOUR;
// The server's longest lifetime (InvitationCreate.expires_in_s).
const MAX_LIFETIME_S = 366 * DAY;
const LIFETIMES = [
  [String(3 * HOUR), "lifeThreeHours"],
  [String(DAY), "lifeOneDay"],
  [String(3 * DAY), "lifeThreeDays"],
  [String(7 * DAY), "lifeOneWeek"],
  [String(14 * DAY), "lifeTwoWeeks"],
  [String(30 * DAY), "lifeOneMonth"],
  [String(90 * DAY), "lifeThreeMonths"],
  ["other", "lifeOther"],
];
const LABEL_MAX = 200;
const TOPIC_MAX = 200;
const USES_MAX = 1000;

/** A whole number typed by a person, or null when it is not one. */
function wholeNumber(text) {
  const s = text.trim();
  return /^-?\d+$/.test(s) ? Number(s) : null;
}

function targetOf(inv) {
  if (inv.trail_title && inv.stop_title) return `${inv.trail_title} — ${inv.stop_title}`;
  if (inv.trail_title) return inv.trail_title;
  return inv.topic || "–";
}

/** Fetch the QR (svg) or the A5 sheet (pdf) of a link; the code goes back in the body. */
function sheet(inv, code, lang, format) {
  return call("POST", orgPath(`/invitations/${inv.id}/sheet`), { body: { code, lang, format }, raw: true }).then((r) => r.data);
}

function createForm(trails, onCreated) {
  const lang = language();
  const problems = new Problems();
  const label = h("input", { name: "label", autocomplete: "off" });
  const trail = select([["", t("noTrailChosen")], ...trails.map((tr) => [String(tr.id), pick(tr.title, lang) || tr.slug])], "", { name: "trail" });
  const stop = select([["", t("chooseTrailFirst")]], "", { name: "stop", disabled: true });
  const topic = h("input", { name: "topic", autocomplete: "off" });
  const lifetime = select(LIFETIMES.map(([v, key]) => [v, t(key)]), String(14 * DAY), { name: "lifetime" });
  const amount = h("input", { name: "lifetime-amount", inputmode: "numeric", autocomplete: "off", class: "short" });
  const unit = select([["days", t("unitDays")], ["hours", t("unitHours")]], "days", { name: "lifetime-unit" });
  const custom = h("div", { class: "row tight custom-lifetime", hidden: true }, field(t("lifetimeAmount"), amount), field(t("lifetimeUnit"), unit));
  const uses = h("input", { name: "uses", inputmode: "numeric", autocomplete: "off", class: "short", value: "20" });
  const languageBoxes = RESIDENT_LANGUAGES.map((l) => h("input", { name: "languages", value: l, checked: true }));
  const licenceBoxes = LICENCE_IDS.map((id) => h("input", { name: "licences", value: id, checked: true }));
  const group = (legend, boxes, names) => h("fieldset", { class: "choices" }, h("legend", {}, legend), boxes.map((b, i) => check(names[i], b)));
  const languagesSet = group(t("languagesOffered"), languageBoxes, RESIDENT_LANGUAGES.map((l) => t(`lang_${l}`)));
  const licencesSet = group(t("licencesOffered"), licenceBoxes, LICENCE_IDS.map(licenceName));

  let stops = [];
  trail.addEventListener("change", async () => {
    // A stop belongs to one trail: a change of trail forgets the stop chosen before.
    stops = [];
    clear(stop).append(h("option", { value: "" }, trail.value ? t("wholeTrail") : t("chooseTrailFirst")));
    stop.disabled = true;
    if (!trail.value) return;
    try {
      const wanted = trail.value;
      const found = await all(orgPath(`/trails/${wanted}/stops`));
      if (trail.value !== wanted) return;
      stops = found;
      stop.append(...stops.map((s, i) => h("option", { value: String(s.id) }, `${i + 1}. ${pick(s.title, lang) || s.key}`)));
      stop.disabled = false;
    } catch (err) {
      problems.reset();
      problems.add("trail_id", readable(err));
      problems.show();
    }
  });
  lifetime.addEventListener("change", () => (custom.hidden = lifetime.value !== "other"));

  const wrap = (name, node, control, text) => problems.watch(name, node, control, text);
  const button = h("button", { class: "primary", type: "submit", id: "create-invitation" }, t("createInvitation"));
  const form = h(
    "form",
    { class: "card", id: "new-invitation", novalidate: true },
    h("h2", {}, t("newInvitation")),
    h("p", { class: "hint" }, t("newInvitationLead")),
    wrap("label", field(t("invitationLabel"), label, t("invitationLabelHint")), label, t("invitationLabel")),
    h(
      "div",
      { class: "row" },
      wrap("trail_id", field(t("invitationTrail"), trail), trail, t("invitationTrail")),
      wrap("stop_id", field(t("invitationStop"), stop, t("invitationStopHint")), stop, t("invitationStop")),
    ),
    wrap("topic", field(t("invitationTopic"), topic, t("invitationTopicHint")), topic, t("invitationTopic")),
    h(
      "div",
      { class: "row" },
      wrap("expires_in_s", h("div", {}, field(t("lifetime"), lifetime), custom), lifetime, t("lifetime")),
      wrap("max_uses", field(t("maxUses"), uses, t("maxUsesHint")), uses, t("maxUses")),
    ),
    wrap("languages", languagesSet, languageBoxes[0], t("languagesOffered")),
    wrap("licences", licencesSet, licenceBoxes[0], t("licencesOffered")),
    problems.summary,
    button,
  );

  /** The request body, or null with the problems shown. */
  const read = () => {
    problems.reset();
    const body = { label: label.value.trim() };
    if (!body.label) problems.add("label", t("labelNeeded"));
    else if (body.label.length > LABEL_MAX) problems.add("label", t("tooLong", { max: LABEL_MAX, n: body.label.length }));
    if (trail.value) body.trail_id = Number(trail.value);
    if (stop.value) {
      if (!trail.value) problems.add("stop_id", t("stopNeedsTrail"));
      else body.stop_id = Number(stop.value);
    }
    const subject = topic.value.trim();
    if (subject.length > TOPIC_MAX) problems.add("topic", t("tooLong", { max: TOPIC_MAX, n: subject.length }));
    else if (subject) body.topic = subject;
    if (lifetime.value === "other") {
      const n = wholeNumber(amount.value);
      const seconds = n === null ? null : n * (unit.value === "days" ? DAY : HOUR);
      if (n === null) problems.add("expires_in_s", t("lifetimeNotNumber"), amount);
      else if (seconds < HOUR) problems.add("expires_in_s", t("lifetimeTooShort"), amount);
      else if (seconds > MAX_LIFETIME_S) problems.add("expires_in_s", t("lifetimeTooLong"), amount);
      else body.expires_in_s = seconds;
    } else body.expires_in_s = Number(lifetime.value);
    const n = wholeNumber(uses.value);
    if (n === null) problems.add("max_uses", t("usesNotNumber"));
    else if (n < 1) problems.add("max_uses", t("usesTooFew"));
    else if (n > USES_MAX) problems.add("max_uses", t("usesTooMany", { max: USES_MAX }));
    else body.max_uses = n;
    body.languages = languageBoxes.filter((b) => b.checked).map((b) => b.value);
    if (!body.languages.length) problems.add("languages", t("languagesNeeded"));
    body.licences = licenceBoxes.filter((b) => b.checked).map((b) => b.value);
    if (!body.licences.length) problems.add("licences", t("licencesNeeded"));
    if (problems.any) {
      problems.show();
      return null;
    }
    return body;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = read();
    if (!body) return;
    button.disabled = true;
    try {
      const created = await post(orgPath("/invitations"), body);
      // A second click must not make a twin link by mistake: the name starts afresh.
      label.value = "";
      toast(t("invitationCreated"));
      await onCreated(created);
    } catch (err) {
      problems.fromError(err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** The link just made: shown this once, with its QR code and its printable sheet. */
function createdPanel(inv) {
  const url = h("input", { id: "invitation-url", readonly: true, value: inv.page_url ?? "", class: "mono" });
  const copied = h("span", { class: "hint", "aria-live": "polite" });
  const copy = h("button", { type: "button", class: "quiet", id: "copy-link" }, t("copyLink"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(url.value);
    } catch {
      // Without clipboard access the text is selected, ready for Ctrl+C.
      url.select();
    }
    copied.textContent = t("linkCopied");
  });
  const offered = inv.languages?.length ? inv.languages : RESIDENT_LANGUAGES;
  const sheetLang = select(offered.map((l) => [l, t(`lang_${l}`)]), offered.includes(language()) ? language() : offered[0], { name: "sheet-lang" });
  const qr = h("img", { alt: t("invitationQrAlt"), class: "qr", id: "invitation-qr", width: 180, height: 180 });
  const message = h("div");
  let shown = null;
  const drawQr = async () => {
    try {
      const svg = await sheet(inv, inv.code, sheetLang.value, "svg");
      if (shown) URL.revokeObjectURL(shown);
      shown = URL.createObjectURL(svg);
      qr.src = shown;
    } catch (err) {
      clear(message).append(errorBox([readable(err)]));
    }
  };
  const download = h("button", { type: "button", class: "primary", id: "download-sheet" }, t("downloadSheet"));
  download.addEventListener("click", async () => {
    clear(message);
    try {
      const pdf = await sheet(inv, inv.code, sheetLang.value, "pdf");
      const a = h("a", { href: URL.createObjectURL(pdf), download: `invitation-${inv.id}-${sheetLang.value}.pdf` });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      message.append(errorBox([readable(err)]));
    }
  });
  drawQr();
  return h(
    "section",
    { class: "card created-link", id: "created-invitation", "aria-labelledby": "created-title", dataset: { id: inv.id } },
    h("h2", { id: "created-title" }, t("invitationReady", { label: inv.label })),
    h("p", { class: "alert warning", role: "status" }, t("shownOnlyNow")),
    h("div", { class: "row" }, qr, h("div", { class: "grow" }, field(t("invitationLink"), url), h("div", { class: "row tight" }, copy, copied))),
    h("div", { class: "row sheet-row" }, field(t("sheetLanguage"), sheetLang), download),
    message,
  );
}

function confirmRevoke(inv, onDone) {
  const message = h("div");
  const dialog = h("dialog", { class: "card", "aria-labelledby": "revoke-title" });
  const yes = h("button", { type: "button", class: "danger", id: "confirm-revoke" }, t("revokeYes"));
  yes.addEventListener("click", async () => {
    clear(message);
    try {
      await post(orgPath(`/invitations/${inv.id}/revoke`), undefined);
      dialog.close();
      toast(t("invitationRevoked"));
      await onDone(inv);
    } catch (err) {
      message.append(errorBox([readable(err)]));
    }
  });
  dialog.append(
    h("h2", { id: "revoke-title" }, t("revokeTitle", { label: inv.label })),
    h("p", {}, t("revokeLead")),
    message,
    h("div", { class: "actions" }, h("button", { type: "button", class: "quiet", onclick: () => dialog.close() }, t("revokeNo")), yes),
  );
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
}

function table(items, redraw) {
  if (!items.length) return h("p", { class: "empty" }, t("noInvitations"));
  const rows = items.map((inv) => {
    const state = String(inv.state).replaceAll("-", "_");
    return h(
      "tr",
      { dataset: { id: inv.id, state } },
      h("td", { class: "inv-label" }, inv.label || "–"),
      h("td", {}, targetOf(inv)),
      h("td", {}, h("span", { class: `badge inv-${state}` }, t(`inv_${state}`, {}, state))),
      h("td", {}, `${formatNumber(inv.uses)} / ${formatNumber(inv.max_uses)}`),
      h("td", {}, formatNumber(inv.contributions ?? 0)),
      h("td", {}, formatDate(inv.expires_at)),
      h("td", { class: "row-actions" }, state === "active" ? h("button", { type: "button", class: "quiet revoke", onclick: () => confirmRevoke(inv, redraw) }, t("revoke")) : null),
    );
  });
  const head = [t("invitationLabel"), t("invitationFor"), t("state"), t("uses"), t("contributions"), t("expires"), ""];
  return h("table", { class: "invitations", id: "invitation-list" }, h("thead", {}, h("tr", {}, head.map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, rows));
}

/** The invitations page. */
export async function renderInvitations(target) {
  if (!canEdit()) {
    target.append(h("div", { class: "page" }, h("h1", {}, t("invitations")), h("p", {}, t("forbidden"))));
    return;
  }
  const trails = await all(orgPath("/trails"));
  const listSlot = h("div");
  const createdSlot = h("div");
  const drawList = async (revoked = null) => {
    // A link revoked while still shown: its QR code and sheet must not be handed out.
    if (revoked && createdSlot.firstChild?.dataset.id === String(revoked.id)) clear(createdSlot);
    try {
      clear(listSlot).append(table(await all(orgPath("/invitations")), drawList));
    } catch (err) {
      clear(listSlot).append(errorBox([readable(err)]));
    }
  };
  const form = createForm(trails, async (created) => {
    clear(createdSlot).append(createdPanel(created));
    createdSlot.scrollIntoView({ block: "start" });
    await drawList();
  });
  target.append(
    h(
      "div",
      { class: "page invitations-page" },
      h("h1", { id: "invitations-title" }, t("invitations")),
      h("p", { class: "lead" }, t("invitationsLead")),
      form,
      createdSlot,
      h("section", { "aria-labelledby": "links-title" }, h("h2", { id: "links-title" }, t("allInvitations")), listSlot),
    ),
  );
  await drawList();
}
