// The review queue: residents' contributions to listen to, read, approve (and place on a
// stop) or reject with a reason.
import { all, call, patch } from "./api.js";
import { clear, errorBox, field, h, select, toast } from "./dom.js";
import { language, t } from "./i18n.js";
import { canEdit, orgPath } from "./state.js";
import { recording } from "./story.js";
import { pick, readable } from "./ui.js";

/** The review page. */
export async function renderReview(target) {
  const items = await all(orgPath("/contributions?status=submitted"));
  const list = h("ul", { class: "review-list", id: "review-list" });
  const trails = canEdit() ? await all(orgPath("/trails")) : [];
  for (const item of items) list.append(await contribution(item, trails));
  target.append(
    h(
      "div",
      { class: "page" },
      h("h1", {}, t("review")),
      h("p", { class: "lead" }, t("reviewLead")),
      items.length ? list : h("p", { class: "empty", id: "review-empty" }, t("nothingToReview")),
    ),
  );
}

async function contribution(item, trails) {
  const lang = language();
  const message = h("div");
  const versions = item.versions.map((v) =>
    h(
      "div",
      { class: "version" },
      h("h3", {}, t("versionIn", { lang: v.language.toUpperCase() })),
      v.audio_asset_id ? recording(v.audio_asset_id, v.audio_status ?? "ready") : h("p", { class: "hint" }, t("noAudio")),
      v.text ? h("p", { class: "quote" }, v.text) : null,
      v.transcript_vtt ? h("details", {}, h("summary", {}, t("transcript")), h("pre", { class: "mono" }, v.transcript_vtt)) : null,
    ),
  );
  const consent = item.consents?.length
    ? item.consents.map((c) => h("li", {}, `${c.person} · ${c.given_on} · `, c.publication ? t("consentPublication") : t("noPublication")))
    : [h("li", { class: "hint" }, t("noConsent"))];
  const card = h(
    "li",
    { class: "card contribution", dataset: { id: item.id } },
    h("h2", {}, item.title),
    h("p", { class: "meta" }, h("span", {}, t("from", { who: item.contributor_name || "–" })), h("span", {}, item.created_at.slice(0, 10)), item.credits.map((c) => h("span", {}, `${c.name} (${c.role})`))),
    versions,
    h("h3", {}, t("consent")),
    h("ul", { class: "plain" }, consent),
    message,
  );
  if (!canEdit()) return card;
  const trailSelect = select([["", t("dontPlace")], ...trails.map((tr) => [String(tr.id), pick(tr.title, lang) || tr.slug])], "", { name: "place-trail" });
  const stopSelect = select([["", "–"]], "", { name: "place-stop", disabled: true });
  let stops = [];
  trailSelect.addEventListener("change", async () => {
    stopSelect.disabled = !trailSelect.value;
    if (!trailSelect.value) return;
    stops = await all(orgPath(`/trails/${trailSelect.value}/stops`));
    clear(stopSelect).append(...stops.map((s, i) => h("option", { value: s.id }, `${i + 1}. ${pick(s.title, lang) || s.key}${s.story_id ? ` (${t("replacesStory")})` : ""}`)));
  });
  const reason = h("textarea", { name: "reject-reason", rows: 2 });
  const approve = async () => {
    clear(message);
    try {
      await call("POST", orgPath(`/contributions/${item.id}/approve`), { body: {}, etag: item.etag });
      if (trailSelect.value && stopSelect.value) {
        const stop = stops.find((s) => String(s.id) === stopSelect.value);
        await patch(orgPath(`/trails/${trailSelect.value}/stops/${stop.id}`), { story_id: item.id }, stop.etag);
      }
      toast(t("approvedToast"));
      card.replaceWith(h("li", { class: "card done", role: "status" }, t("approvedDone", { title: item.title })));
    } catch (err) {
      message.append(errorBox([readable(err)]));
    }
  };
  const reject = async () => {
    clear(message);
    if (!reason.value.trim()) {
      message.append(errorBox([t("reasonNeeded")]));
      reason.focus();
      return;
    }
    try {
      await call("POST", orgPath(`/contributions/${item.id}/reject`), { body: { reason: reason.value.trim() }, etag: item.etag });
      toast(t("rejectedToast"));
      card.replaceWith(h("li", { class: "card done", role: "status" }, t("rejectedDone", { title: item.title })));
    } catch (err) {
      message.append(errorBox([readable(err)]));
    }
  };
  card.append(
    h(
      "div",
      { class: "decide" },
      h("div", { class: "approve-box" }, h("h3", {}, t("approve")), h("div", { class: "row" }, field(t("placeOnTrail"), trailSelect), field(t("placeOnStop"), stopSelect)), h("button", { type: "button", class: "primary", onclick: approve }, t("approve"))),
      h("div", { class: "reject-box" }, h("h3", {}, t("reject")), field(t("rejectReason"), reason, t("rejectHint")), h("button", { type: "button", class: "danger", onclick: reject }, t("reject"))),
    ),
  );
  return card;
}
