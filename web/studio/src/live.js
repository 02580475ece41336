// What visitors have now (the live release, never the draft) and how the draft differs.
import { get } from "./api.js";
import { clear, h } from "./dom.js";
import { formatDate } from "./format.js";
import { t } from "./i18n.js";
import { orgPath } from "./state.js";
import { link } from "./ui.js";

/** The live state in words: "Online · Public", "Scheduled from … · Unlisted", "Ended …". */
export function liveText(trail) {
  const state = trail.live_state ?? "unpublished";
  if (state === "unpublished") return t("neverPublished");
  const visibility = t(`vis_${trail.live_visibility}`);
  if (state === "scheduled") return `${t("liveScheduled", { date: formatDate(trail.live_valid_from) })} · ${visibility}`;
  if (state === "ended") return `${t("liveEnded", { date: formatDate(trail.live_valid_until) })} · ${visibility}`;
  const until = trail.live_valid_until ? ` ${t("liveUntil", { date: formatDate(trail.live_valid_until) })}` : "";
  return `${t("liveOnline", { n: trail.current_release })}${until} · ${visibility}`;
}

/** The badge of the live state; ``refreshLive`` redraws every badge of this trail. */
export function liveBadge(trail) {
  const state = trail.live_state ?? "unpublished";
  return h("span", { class: `badge live ${state} ${trail.live_visibility ?? ""}`, dataset: { liveOf: trail.id, state } }, liveText(trail));
}

/** Redraw the live badges of a trail from its fresh JSON (after a publish or a save). */
export function refreshLive(trail) {
  for (const badge of document.querySelectorAll(`[data-live-of="${trail.id}"]`)) badge.replaceWith(liveBadge(trail));
}

/** Fetch the trail and redraw its badges; returns the fresh trail. */
export async function reloadLive(trailId) {
  const fresh = await get(orgPath(`/trails/${trailId}`));
  refreshLive(fresh);
  return fresh;
}

function describe(change) {
  const fields = change.fields.map((f) => t(`changed_${f}`)).join(", ");
  if (change.kind === "stop_added") return t("changeStopAdded", { key: change.stop });
  if (change.kind === "stop_removed") return t("changeStopRemoved", { key: change.stop });
  if (change.kind === "stop_changed") return t("changeStopChanged", { key: change.stop, fields });
  if (change.kind === "trail") return t("changeTrail", { fields });
  return t(`change_${change.kind}`);
}

/** The "draft and live" card: what visitors have, what the draft changes, and where to publish. */
export async function renderChanges(section, trail, { onPublishTab = false } = {}) {
  const { live, differs, changes } = await get(orgPath(`/trails/${trail.id}/changes`));
  clear(section).append(h("h2", { id: "changes-title" }, t("draftAndLive")));
  section.append(h("p", { id: "live-line" }, t("visitorsHave"), " ", liveBadge({ ...trail, live_state: live.state, live_visibility: live.visibility, live_valid_from: live.valid_from, live_valid_until: live.valid_until, current_release: live.release })));
  if (!differs) {
    section.append(h("p", { class: "ok-line", id: "no-changes" }, `✓ ${t("draftSameAsLive")}`));
    return { differs };
  }
  if (live.release === null) {
    section.append(h("p", { id: "changes-summary" }, t("draftNotYetLive")));
  } else {
    const by = (kind) => changes.filter((c) => c.kind === kind).length;
    const summary = [
      by("stop_added") ? t("stopsAdded", { n: by("stop_added") }) : null,
      by("stop_removed") ? t("stopsRemoved", { n: by("stop_removed") }) : null,
      by("stop_changed") ? t("stopsChanged", { n: by("stop_changed") }) : null,
    ].filter(Boolean);
    if (summary.length) section.append(h("p", { id: "changes-summary" }, summary.join(" · ")));
    section.append(h("ul", { class: "change-list", id: "change-list" }, changes.map((c) => h("li", { dataset: { kind: c.kind } }, describe(c)))));
    if (changes.some((c) => c.kind === "dates" || c.kind === "visibility")) section.append(h("p", { class: "hint" }, t("datesApplyOnPublish")));
  }
  const publishPath = `/studio/trails/${trail.id}/publish`;
  section.append(
    onPublishTab
      ? h("p", { class: "hint" }, t("publishToApply"))
      : h("p", {}, h("a", { href: publishPath, onclick: link(publishPath), class: "button primary", id: "go-publish-changes" }, t("reviewAndPublish"))),
  );
  return { differs };
}

/** In the trail's header: a link to the publish tab when the draft differs from the live one. */
export async function showDraftState(slot, trail) {
  if (!slot) return;
  const { differs, live } = await get(orgPath(`/trails/${trail.id}/changes`)).catch(() => ({ differs: false, live: {} }));
  const path = `/studio/trails/${trail.id}/publish`;
  clear(slot);
  if (differs && live.release !== null) slot.append(h("a", { href: path, onclick: link(path), class: "badge changed" }, t("unpublishedChanges")));
}
