// The review queue, closing the loop: a resident's contribution is listened to and read with
// its whole consent, trimmed and transcribed, approved, placed on a stop, and followed until
// a published trail carries it.
import { contentAttributes } from "@baladeur/i18n";
import { all, call, get, patch } from "./api.js";
import { clear, errorBox, field, h, select, toast } from "./dom.js";
import { formatDate } from "./format.js";
import { Problems } from "./formcheck.js";
import { language, t } from "./i18n.js";
import { licenceName } from "./licences.js";
import { canEdit, navigate, orgPath } from "./state.js";
import { recording, transcriptField } from "./story.js";
import { trimControls } from "./trim.js";
import { pick, readable } from "./ui.js";

// How many approved contributions the follow-up list shows (the newest).
const FOLLOWED = 20;
// The licence id that keeps a story out of every trail (server/licences.py).
const ARCHIVE_ONLY = "archive-only";

/** The consent that stands for a contribution: the API's summary, else the latest record. */
export function standingConsent(item) {
  const summary = item.consent_summary ?? item;
  const latest = [...(item.consents ?? [])].reverse().find((c) => !c.withdrawn_at) ?? null;
  const of = (name) => summary[name] ?? latest?.[name] ?? null;
  return {
    person: of("person"),
    publication: Boolean(of("publication")),
    archive: Boolean(of("archive")),
    licence: summary.licence ?? item.licence ?? null,
    credit: of("credit"),
    creditShown: summary.credit_shown ?? null,
    givenOn: latest?.given_on ?? null,
  };
}

/** Kept for the organisation only: publication refused, or the archive-only licence chosen. */
export function archiveOnly(item) {
  const c = standingConsent(item);
  return !c.publication || c.licence === ARCHIVE_ONLY;
}

function yesNo(value) {
  return h("span", { class: `badge ${value ? "ok" : "warn"}` }, value ? t("consentYes") : t("consentNo"));
}

/** Everything the resident agreed to, as a list a mediator reads at a glance. */
function consentSummary(item) {
  const c = standingConsent(item);
  if (!item.consents?.length && c.person === null) return h("p", { class: "hint" }, t("noConsent"));
  const row = (term, ...value) => [h("dt", {}, term), h("dd", {}, ...value)];
  return h(
    "dl",
    { class: "consent-summary" },
    row(t("consentPerson"), c.person ?? "–"),
    row(t("consentPublicationQ"), yesNo(c.publication)),
    row(t("consentArchiveQ"), yesNo(c.archive)),
    row(t("licence"), c.licence ? licenceName(c.licence) : "–"),
    row(t("creditChoice"), c.credit ? t(`credit_${c.credit.replaceAll("-", "_")}`, {}, c.credit) : "–"),
    row(t("creditShown"), c.creditShown ? h("q", { class: "credit-shown" }, c.creditShown) : h("em", {}, t("creditNone"))),
    c.givenOn ? row(t("consentDate"), c.givenOn) : null,
  );
}

/** The resident's photo, fetched with the session and shown from a blob URL. */
function photo(item) {
  if (!item.photo_sha256 || !canEdit()) return null;
  const img = h("img", { class: "contribution-photo", alt: t("photoAlt", { title: item.title }) });
  call("GET", orgPath(`/stories/${item.id}/photo`), { raw: true })
    .then(({ data }) => (img.src = URL.createObjectURL(data)))
    .catch(() => img.replaceWith(h("p", { class: "hint" }, t("photoMissing"))));
  return img;
}

/** Where the story stands: on which stops, and whether visitors can hear it yet. */
function placementStatus(item) {
  const placements = item.placements ?? [];
  if (!placements.length) return h("p", { class: "hint placement-none" }, t("notPlacedYet"));
  return h(
    "ul",
    { class: "plain placements" },
    placements.map((p) =>
      p.live
        ? h("li", { class: "placement live", dataset: { trail: p.trail_id } }, h("span", { class: "badge ok" }, t("live")), " ", t("publishedIn", { trail: p.trail_title, stop: p.stop_title }))
        : h(
            "li",
            { class: "placement waiting", dataset: { trail: p.trail_id } },
            h("p", {}, t("placedOn", { trail: p.trail_title, stop: p.stop_title }), " ", h("strong", {}, t("publishToMakePublic"))),
            h("button", { type: "button", class: "primary go-publish", onclick: () => navigate(`/studio/trails/${p.trail_id}/publish`) }, t("goToPublish", { trail: p.trail_title })),
          ),
    ),
  );
}

/** Trail → stop lists for placing ``item``; its fields report to ``problems``. */
function stopPicker(item, trails, problems) {
  const lang = language();
  const trailSelect = select([["", t("chooseTrail")], ...trails.map((tr) => [String(tr.id), pick(tr.title, lang) || tr.slug])], "", { name: "place-trail" });
  const stopSelect = select([["", t("chooseTrailFirst")]], "", { name: "place-stop", disabled: true });
  let stops = [];
  trailSelect.addEventListener("change", async () => {
    // A stop belongs to one trail: a change of trail forgets the stop chosen before.
    stops = [];
    clear(stopSelect).append(h("option", { value: "" }, trailSelect.value ? t("chooseStop") : t("chooseTrailFirst")));
    stopSelect.disabled = true;
    if (!trailSelect.value) return;
    const wanted = trailSelect.value;
    const found = await all(orgPath(`/trails/${wanted}/stops`));
    if (trailSelect.value !== wanted) return;
    stops = found;
    stopSelect.append(...stops.map((s, i) => h("option", { value: String(s.id) }, `${i + 1}. ${pick(s.title, lang) || s.key}${s.story_id && s.story_id !== item.id ? ` (${t("replacesStory")})` : ""}`)));
    stopSelect.disabled = false;
  });
  const node = h(
    "div",
    { class: "row place-row" },
    problems.watch("trail", field(t("placeOnTrail"), trailSelect), trailSelect, t("placeOnTrail")),
    problems.watch("stop", field(t("placeOnStop"), stopSelect), stopSelect, t("placeOnStop")),
  );
  return {
    node,
    /** The trail and stop chosen, null when none; a trail without its stop is a problem. */
    chosen(required) {
      if (!trailSelect.value) {
        if (required) problems.add("trail", t("chooseTrailNeeded"));
        return null;
      }
      const stop = stops.find((x) => String(x.id) === stopSelect.value);
      if (!stop) {
        problems.add("stop", t("chooseStopNeeded"));
        return null;
      }
      return { trail: trails.find((tr) => String(tr.id) === trailSelect.value), stop };
    },
  };
}

/** Put the story on the stop, then read back where it is told (and whether live). */
async function placeOn(item, { trail, stop }) {
  await patch(orgPath(`/trails/${trail.id}/stops/${stop.id}`), { story_id: item.id }, stop.etag);
  Object.assign(item, await get(orgPath(`/contributions/${item.id}`)));
  toast(t("placedToast"));
}

/** After approval: where the story is told, and placing it on (another) stop. */
function followUp(item, trails) {
  const node = h("div", { class: "follow-up" });
  if (archiveOnly(item)) {
    node.append(h("p", { class: "alert info archive-only-note" }, t("archiveOnlyNote")));
    return node;
  }
  const status = h("div", { class: "placement-status" }, placementStatus(item));
  node.append(h("h3", {}, t("placement")), status);
  if (!canEdit()) return node;
  const problems = new Problems();
  const picker = stopPicker(item, trails, problems);
  const place = h("button", { type: "button", class: "quiet place" }, t("placeHere"));
  place.addEventListener("click", async () => {
    problems.reset();
    const target = picker.chosen(true);
    if (problems.any) return problems.show();
    place.disabled = true;
    try {
      await placeOn(item, target);
      clear(status).append(placementStatus(item));
    } catch (err) {
      problems.fromError(err);
    } finally {
      place.disabled = false;
    }
  });
  node.append(picker.node, problems.summary, place);
  return node;
}

/** The languages of a contribution, each with its recording, trim tools and transcript. */
function versionsEditor(item, editable) {
  const audioIds = Object.fromEntries(item.versions.map((v) => [v.language, v.audio_asset_id]));
  const transcripts = {};
  const message = h("div");
  /** Save the story's versions (trimmed audio, transcripts) with its ETag. */
  const save = async () => {
    const versions = {};
    for (const v of item.versions) {
      const vtt = transcripts[v.language]?.control.value.trim() ?? v.transcript_vtt ?? "";
      versions[v.language] = { audio_asset_id: audioIds[v.language] ?? null, transcript_vtt: vtt || null, text: v.text ?? null };
    }
    const saved = await patch(orgPath(`/stories/${item.id}`), { versions }, item.etag);
    Object.assign(item, { versions: saved.versions, etag: saved.etag });
  };
  const changed = () => item.versions.some((v) => (transcripts[v.language]?.control.value.trim() || null) !== (v.transcript_vtt || null) || audioIds[v.language] !== v.audio_asset_id);
  const nodes = item.versions.map((v) => {
    const l = v.language;
    const audioSlot = h("div");
    const drawAudio = (status) => {
      clear(audioSlot);
      if (!audioIds[l]) return audioSlot.append(h("p", { class: "hint" }, t("noAudio")));
      const rec = recording(audioIds[l], status);
      audioSlot.append(rec);
      if (!editable || status !== "ready") return;
      const trimSlot = h("div");
      audioSlot.append(trimSlot);
      // The trimmed recording replaces this language's audio, saved at once as in a story.
      trimControls(rec, audioIds[l], l, async (id) => {
        const before = audioIds[l];
        audioIds[l] = id;
        try {
          await save();
          drawAudio("ready");
          toast(t("editApplied"));
        } catch (err) {
          audioIds[l] = before;
          clear(message).append(errorBox([readable(err)]));
        }
      })
        .then((node) => node && trimSlot.append(node))
        .catch(() => {});
    };
    drawAudio(v.audio_status ?? "ready");
    let transcript = null;
    if (editable) {
      transcript = transcriptField(l, v.transcript_vtt ?? "", { audio: () => audioIds[l] });
      transcripts[l] = transcript;
    } else if (v.transcript_vtt) {
      transcript = { node: h("details", {}, h("summary", {}, t("transcript")), h("pre", { class: "mono" }, v.transcript_vtt)) };
    }
    return h(
      "div",
      { class: "version", dataset: { lang: l } },
      h("h3", {}, t("versionIn", { lang: l.toUpperCase() })),
      audioSlot,
      v.text ? h("blockquote", { class: "quote", ...contentAttributes(l) }, v.text) : null,
      transcript?.node,
    );
  });
  return { nodes, message, save, changed, transcripts };
}

/** A credit's role in the interface language when it is one the server gives (a resident is
 * credited as "contributor"); a role an editor typed shows as typed. */
function creditRole(role) {
  return t(`creditRole_${role}`, {}, role);
}

function contribution(item, trails) {
  const editable = canEdit();
  const keptOnly = archiveOnly(item);
  const editor = versionsEditor(item, editable);
  const card = h(
    "li",
    { class: `card contribution${keptOnly ? " archive-only" : ""}`, dataset: { id: item.id } },
    h("h2", {}, item.title),
    h(
      "p",
      { class: "meta" },
      h("span", {}, t("from", { who: item.contributor_name || "–" })),
      h("span", {}, formatDate(item.created_at)),
      item.credits.map((c) => h("span", { class: "credit" }, `${c.name} (${creditRole(c.role)})`)),
      keptOnly ? h("span", { class: "badge warn archive-badge" }, t("archiveOnly")) : null,
    ),
    photo(item),
    editor.nodes,
    h("h3", {}, t("consent")),
    consentSummary(item),
    editor.message,
  );
  if (!editable) return card;
  const problems = new Problems();
  const reason = h("textarea", { name: "reject-reason", rows: 2 });
  for (const [l, tr] of Object.entries(editor.transcripts)) problems.watch(`vtt-${l}`, tr.node, tr.control, t("versionIn", { lang: l.toUpperCase() }));
  const approveButton = h("button", { type: "button", class: "primary approve" }, keptOnly ? t("approveArchive") : t("approve"));
  // Placing can be chosen before approving (done right after), or later in the follow-up.
  const picker = keptOnly ? null : stopPicker(item, trails, problems);
  const approve = async () => {
    problems.reset();
    for (const [l, tr] of Object.entries(editor.transcripts)) {
      const text = tr.control.value.trim();
      if (text && !text.startsWith("WEBVTT")) problems.add(`vtt-${l}`, t("vttHeader"));
    }
    const target = picker?.chosen(false) ?? null;
    if (problems.any) return problems.show();
    approveButton.disabled = true;
    try {
      // The transcript typed here is saved with the story before it is approved.
      if (editor.changed()) await editor.save();
      const approved = await call("POST", orgPath(`/contributions/${item.id}/approve`), { body: {}, etag: item.etag });
      Object.assign(item, approved.data);
    } catch (err) {
      approveButton.disabled = false;
      return problems.fromError(err);
    }
    toast(t("approvedToast"));
    // Approved whatever happens next: a placement that fails is said in the follow-up.
    let failed = null;
    if (target) await placeOn(item, target).catch((err) => (failed = err));
    const next = followUp(item, trails);
    if (failed) next.append(errorBox([readable(failed)]));
    decide.replaceWith(h("p", { class: "alert ok done", role: "status" }, t("approvedDone", { title: item.title })), next);
    for (const c of card.querySelectorAll("textarea, .trim input, .trim button")) c.disabled = true;
  };
  approveButton.addEventListener("click", approve);
  const rejectProblems = new Problems();
  const reject = async () => {
    rejectProblems.reset();
    if (!reason.value.trim()) {
      rejectProblems.add("reason", t("reasonNeeded"));
      return rejectProblems.show();
    }
    try {
      await call("POST", orgPath(`/contributions/${item.id}/reject`), { body: { reason: reason.value.trim() }, etag: item.etag });
      toast(t("rejectedToast"));
      card.replaceWith(h("li", { class: "card done", role: "status" }, t("rejectedDone", { title: item.title })));
    } catch (err) {
      rejectProblems.fromError(err);
    }
  };
  const decide = h(
    "div",
    { class: "decide" },
    h("div", { class: "approve-box" }, h("h3", {}, t("approve")), h("p", { class: "hint" }, keptOnly ? t("approveArchiveHint") : t("approveHint")), picker?.node, problems.summary, approveButton),
    h(
      "div",
      { class: "reject-box" },
      h("h3", {}, t("reject")),
      rejectProblems.watch("reason", field(t("rejectReason"), reason, t("rejectHint")), reason, t("rejectReason")),
      rejectProblems.summary,
      h("button", { type: "button", class: "danger", onclick: reject }, t("reject")),
    ),
  );
  card.append(decide);
  return card;
}

function approvedCard(item, trails) {
  return h(
    "li",
    { class: "card approved", dataset: { id: item.id } },
    h("h3", {}, item.title),
    h("p", { class: "meta" }, h("span", {}, t("from", { who: item.contributor_name || "–" })), h("span", {}, formatDate(item.reviewed_at || item.created_at))),
    followUp(item, trails),
  );
}

/** The review page: contributions to decide on, then the approved ones to place and publish. */
export async function renderReview(target) {
  const items = await all(orgPath("/contributions?status=submitted"));
  const editable = canEdit();
  const trails = editable ? await all(orgPath("/trails")) : [];
  // The newest approved contributions (those that came with a consent) to follow up on.
  const approved = editable ? (await get(orgPath(`/contributions?status=approved&limit=${FOLLOWED}&offset=0`))).items.filter((c) => c.consents?.length) : [];
  const list = h("ul", { class: "review-list", id: "review-list" }, items.map((item) => contribution(item, trails)));
  target.append(
    h(
      "div",
      { class: "page" },
      h("h1", {}, t("review")),
      h("p", { class: "lead" }, t("reviewLead")),
      items.length ? list : h("p", { class: "empty", id: "review-empty" }, t("nothingToReview")),
      approved.length
        ? h("section", { "aria-labelledby": "approved-title" }, h("h2", { id: "approved-title" }, t("approvedFollowUp")), h("p", { class: "hint" }, t("approvedFollowUpLead")), h("ul", { class: "review-list", id: "approved-list" }, approved.map((item) => approvedCard(item, trails))))
        : null,
    ),
  );
}
