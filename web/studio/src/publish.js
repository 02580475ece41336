// Publishing: the size report, dates and visibility, approval, QR and poster, releases.
import { all, call, get, post } from "./api.js";
import { audienceSection } from "./audience.js";
import { clear, errorBox, field, h, toast } from "./dom.js";
import { formatBytes, formatDate, formatDuration } from "./format.js";
import { language, t } from "./i18n.js";
import { renderChanges, reloadLive, showDraftState } from "./live.js";
import { canEdit, orgPath, state } from "./state.js";
import { link, pick, readable } from "./ui.js";

function sizeReport(size) {
  if (!size) return null;
  const rows = Object.entries(size.profiles).map(([profile, p]) =>
    h("tr", {}, h("th", { scope: "row" }, profile === "opus" ? "Opus (Android)" : profile === "aac" ? "AAC (iPhone)" : profile), h("td", {}, formatBytes(p.bytes)), h("td", {}, formatDuration(p.audio_s)), h("td", {}, p.bytes_per_audio_minute ? formatBytes(p.bytes_per_audio_minute) : "–")),
  );
  return h(
    "div",
    { class: "size-report", id: "size-report" },
    h("h3", {}, t("sizeReport")),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("profile")), h("th", {}, t("bundleSize")), h("th", {}, t("audioLength")), h("th", {}, t("perMinute")))), h("tbody", {}, rows)),
    size.warnings.map((w) => h("p", { class: "alert warning" }, w)),
  );
}

async function download(path, name) {
  const { data } = await call("GET", path, { raw: true });
  const a = h("a", { href: URL.createObjectURL(data), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

/** Why publishing was refused: each check's problem with a link to its stop, named as the
 * mediator named it (``stops``: the draft's stops). */
function refusal(err, trail, stops) {
  const errors = err.errors ?? [];
  if (!errors.some((e) => e.value?.check)) return errorBox(err.lines ? err.lines() : [readable(err)]);
  const items = errors.map((e) => {
    const stopId = e.value?.stop_id;
    const path = `/studio/trails/${trail.id}?stop=${stopId}`;
    return h(
      "li",
      { dataset: { check: e.value?.check ?? "" } },
      stopId ? h("a", { href: path, onclick: link(path), class: "go-stop" }, t("goToStop", { name: pick(stops.find((s) => s.key === e.value.stop)?.title, language()) || e.value.stop })) : null,
      stopId ? " " : null,
      // Other reasons (a recording still processing...) name their field, as before.
      h("span", {}, e.value?.check || !e.field ? e.message : `${e.field}: ${e.message}`),
    );
  });
  return h("div", { class: "alert error", role: "alert", id: "publish-problems" }, h("p", {}, t("publishRefused")), h("ul", {}, items));
}

/** The publish tab. */
export async function renderPublish(body, trail) {
  const base = orgPath(`/trails/${trail.id}`);
  const org = state.me.memberships.find((m) => m.organisation === state.org);
  const orgInfo = await get(orgPath("")).catch(() => ({ requires_second_approval: false }));
  const notes = h("textarea", { name: "notes", rows: 2 });
  const when = h("input", { type: "datetime-local", name: "publish_at" });
  const message = h("div", { id: "publish-message" });
  const lastSize = h("div");
  const publishForm = h(
    "form",
    { class: "card", id: "publish-form", novalidate: true },
    h("h2", {}, t("publishTitle")),
    h("p", { class: "hint" }, t("publishLead", { visibility: t(`vis_${trail.visibility}`).toLowerCase() })),
    h("p", {}, h("a", { href: `/studio/trails/${trail.id}/details`, onclick: link(`/studio/trails/${trail.id}/details`) }, t("changeDatesVisibility"))),
    field(t("releaseNotes"), notes),
    field(t("publishAt"), when, t("publishAtHint")),
    orgInfo.requires_second_approval ? h("p", { class: "alert info" }, t("needsApproval")) : null,
    message,
    canEdit() ? h("button", { type: "submit", class: "primary", id: "publish" }, t("publish")) : null,
    lastSize,
  );
  const changes = h("section", { class: "card", id: "changes", "aria-labelledby": "changes-title" });
  const drawChanges = () => renderChanges(changes, trail, { onPublishTab: true }).catch((err) => clear(changes).append(errorBox([readable(err)])));
  const history = h("section", { class: "card", id: "releases", "aria-labelledby": "releases-title" });
  const drawHistory = async () => {
    const releases = await all(`${base}/releases`);
    clear(history).append(h("h2", { id: "releases-title" }, t("releaseHistory")));
    if (!releases.length) return history.append(h("p", { class: "empty" }, t("noReleases")));
    const rows = releases
      .sort((a, b) => b.number - a.number)
      .map((r) =>
        h(
          "tr",
          { dataset: { number: r.number, state: r.state } },
          h("td", {}, `#${r.number}`, r.current ? h("span", { class: "badge ok" }, t("current")) : null),
          h("td", {}, t(`state_${r.state}`)),
          h("td", {}, formatDate(r.went_live_at || r.publish_at || r.created_at)),
          h("td", {}, r.published_by ?? "–", r.approved_by ? ` · ${t("approvedBy", { who: r.approved_by })}` : ""),
          h("td", { class: "notes" }, r.notes ?? ""),
          h(
            "td",
            { class: "row-actions" },
            canEdit() && r.state === "awaiting" ? h("button", { type: "button", class: "quiet", onclick: () => act(`${base}/releases/${r.number}/approve`, t("approved")) }, t("approve")) : null,
            canEdit() && !r.current && r.state === "superseded" ? h("button", { type: "button", class: "quiet", onclick: () => act(`${base}/releases/${r.number}/rollback`, t("rolledBack")) }, t("rollback")) : null,
          ),
        ),
      );
    history.append(h("table", { class: "releases" }, h("thead", {}, h("tr", {}, [t("release"), t("state"), t("date"), t("by"), t("notes"), ""].map((x) => h("th", {}, x)))), h("tbody", {}, rows)));
  };
  const act = async (path, done) => {
    try {
      await post(path, undefined);
      toast(done);
      await drawHistory();
      await drawShare();
      await drawChanges();
      await reloadLive(trail.id);
    } catch (err) {
      clear(message).append(errorBox([readable(err)]));
    }
  };
  publishForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(message);
    // A half-typed date reads as empty, which would publish at once: say so instead.
    if (when.validity.badInput) return message.append(errorBox([`${t("publishAt")}: ${t("dateIncomplete")}`]));
    const button = publishForm.querySelector("#publish");
    button.disabled = true;
    button.textContent = t("publishing");
    try {
      const release = await post(`${base}/releases`, { notes: notes.value || null, publish_at: when.value ? new Date(when.value).toISOString() : null });
      message.append(h("p", { class: "alert ok", role: "status", id: "published" }, t(`published_${release.state}`, { n: release.number })));
      clear(lastSize).append(sizeReport(release.size));
      await drawHistory();
      await drawShare();
      await drawChanges();
      const fresh = await reloadLive(trail.id);
      showDraftState(document.getElementById("draft-state"), fresh);
    } catch (err) {
      const stops = await all(`${base}/stops`).catch(() => []);
      message.append(refusal(err, trail, stops));
    } finally {
      button.disabled = false;
      button.textContent = t("publish");
    }
  });
  const share = h("section", { class: "card", id: "share", "aria-labelledby": "share-title" });
  const drawShare = async () => {
    clear(share).append(h("h2", { id: "share-title" }, t("share")));
    const fresh = await get(base);
    if (!fresh.current_release) return share.append(h("p", { class: "empty" }, t("shareAfterPublish")));
    const qr = h("img", { alt: t("qrAlt"), class: "qr", width: 160, height: 160 });
    call("GET", `${base}/qr.svg`, { raw: true }).then(({ data }) => (qr.src = URL.createObjectURL(data))).catch(() => {});
    // The very link the QR code and the poster carry (the server decides the address).
    const { url: playUrl } = await get(`${base}/link`);
    share.append(
      h("div", { class: "row" }, qr, h("div", {}, h("p", {}, t("visitorLink")), h("p", {}, h("a", { href: playUrl, id: "play-link" }, playUrl)))),
      h(
        "div",
        { class: "row tight" },
        h("button", { type: "button", class: "quiet", id: "download-qr", onclick: () => download(`${base}/qr.png`, `${fresh.slug}-qr.png`) }, t("downloadQr")),
        h("button", { type: "button", class: "quiet", id: "download-poster", onclick: () => download(`${base}/poster.pdf`, `${fresh.slug}-poster.pdf`) }, t("downloadPoster")),
        h("a", { class: "button quiet", id: "download-bundle", href: `/v1/trails/${encodeURIComponent(fresh.slug)}/bundle`, download: `${fresh.slug}.zip` }, t("downloadBundle")),
      ),
    );
  };
  // Audience figures are for editors and owners (the server refuses contributors).
  body.append(h("div", { class: "publish-grid" }, h("div", {}, changes, publishForm, share), h("div", {}, history, canEdit() ? audienceSection(trail, base) : null)));
  await Promise.all([drawHistory(), drawShare(), drawChanges()]);
  void org;
}
