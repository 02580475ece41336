// A stop's story: audio per language (upload, waveform, listen), transcript, credits, consent.
import { contentAttributes } from "@baladeur/i18n";
import { ApiError, call, get, patch, post } from "./api.js";
import { check, clear, errorBox, field, h, toast } from "./dom.js";
import { EditForm } from "./editform.js";
import { Problems } from "./formcheck.js";
import { language, t } from "./i18n.js";
import { audioUrl, drawWaveform, uploadAudio, waitReady } from "./media.js";
import { canEdit, orgPath } from "./state.js";
import { trimControls } from "./trim.js";
import { pick, readable } from "./ui.js";

/** Waveform, listen button and status of one recording. */
export function recording(assetId, status) {
  const canvas = h("canvas", { class: "waveform", "aria-hidden": "true" });
  const audio = h("audio", { controls: true, preload: "none", class: "player" });
  const message = h("p", { class: "hint" });
  const listen = h("button", { type: "button", class: "quiet play", onclick: async () => {
    try {
      audio.src = await audioUrl(assetId);
      audio.hidden = false;
      await audio.play();
    } catch (err) {
      message.textContent = readable(err);
    }
  } }, `▶ ${t("listen")}`);
  audio.hidden = true;
  const node = h("div", { class: "recording", dataset: { asset: assetId } }, h("div", { class: "wave" }, canvas), h("div", { class: "row tight" }, listen, audio), message);
  if (status === "ready" || status === undefined) {
    requestAnimationFrame(() => drawWaveform(canvas, assetId).catch(() => (message.textContent = t("noWaveform"))));
  } else message.textContent = t(`asset_${status}`, {}, status);
  return node;
}

/** The transcript of one language (the story form's and the review's): a textarea named
 * vtt-{lang}, and, when ``audio()`` gives the recording's asset id, "Propose timings" (plain
 * text timed by the recording) and the import of a .srt or .vtt file. A proposal only fills
 * the box: the mediator reviews it and saves the story. */
export function transcriptField(lang, value = "", { audio = null } = {}) {
  const control = h("textarea", { name: `vtt-${lang}`, rows: 6, class: "mono", ...contentAttributes(lang), placeholder: t("transcriptPlaceholder") });
  control.value = value;
  const check = h("p", { class: "hint transcript-status", "aria-live": "polite" });
  const say = (text, state = null) => {
    check.textContent = text;
    if (state) check.dataset.state = state;
    else delete check.dataset.state;
    check.classList.toggle("field-problem", state === "error");
    if (state === "error") control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  };
  // Checked while typing: a message appearing on blur would move Save from under the pointer.
  control.addEventListener("input", () => {
    const text = control.value.trim();
    say(text && !text.startsWith("WEBVTT") ? (audio ? t("vttPlainHint") : t("vttHeader")) : "");
  });
  const wrapper = field(t("transcript"), control, audio ? t("transcriptHowTo") : t("transcriptHint"));
  if (!audio) return { control, wrapper, node: h("div", {}, wrapper, check) };

  /** Ask the server to time ``text``; on success the box takes the WebVTT, else nothing changes. */
  const propose = async (text, format, done) => {
    const assetId = audio();
    if (!assetId) return say(t("transcriptNeedsAudio"), "error");
    say(t("proposing"));
    for (const b of buttons) b.disabled = true;
    try {
      const proposal = await post(orgPath(`/assets/${assetId}/transcript-proposal`), { text, format, language: lang });
      control.value = proposal.vtt;
      control.rows = Math.min(18, Math.max(6, proposal.vtt.split("\n").length));
      // As if typed: the story form marks the transcript changed.
      control.dispatchEvent(new Event("input", { bubbles: true }));
      say(done(proposal));
    } catch (err) {
      const words = err instanceof ApiError && err.errors.length ? err.errors.map((e) => e.message).join(" ") : readable(err);
      say(words, "error");
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  };
  const proposeButton = h("button", { type: "button", class: "quiet propose-timings" }, t("proposeTimings"));
  proposeButton.addEventListener("click", () => propose(control.value, "auto", (p) => t("proposed", { n: p.cues })));
  const file = h("input", { type: "file", accept: ".srt,.vtt,text/vtt,application/x-subrip", name: `transcript-file-${lang}`, class: "visually-hidden" });
  const importButton = h("button", { type: "button", class: "quiet import-transcript", onclick: () => file.click() }, t("importTranscript"));
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    file.value = "";
    if (!chosen) return;
    const text = await chosen.text();
    const ext = chosen.name.toLowerCase().split(".").pop();
    propose(text, ext === "srt" || ext === "vtt" ? ext : "auto", () => t("transcriptImported", { name: chosen.name }));
  });
  const buttons = [proposeButton, importButton];
  return { control, wrapper, node: h("div", { class: "transcript" }, wrapper, h("div", { class: "transcript-tools" }, proposeButton, importButton, file), check) };
}

/** The server's problem behind a failed upload: its status and its (translated) detail. */
function refusal(err) {
  if (err instanceof ApiError) return { status: err.status, detail: err.problem?.detail || null };
  // tus-js-client's errors carry the response; their own message is a long technical line.
  const res = err?.originalResponse;
  if (!res) return { status: err?.originalRequest ? 0 : null, detail: null };
  let detail = null;
  try {
    const problem = JSON.parse(res.getBody() || "{}");
    detail = problem.detail || problem.title || null;
  } catch {
    // Not a problem document (a proxy's page): the status alone is said.
  }
  return { status: res.getStatus(), detail };
}

/** One short sentence for a failed upload of ``file``, in the mediator's words. */
export function uploadTrouble(err, file) {
  if (err instanceof NotAudio) return t("uploadNotAudio", { detail: err.message || t("uploadNotAudioWhy", { name: file.name }) });
  const { status, detail } = refusal(err);
  if (status === 415 || status === 422) return t("uploadNotAudio", { detail: detail || t("uploadNotAudioWhy", { name: file.name }) });
  if (status === 0) return t("networkError");
  if (status === null) return t("uploadFailed", { detail: readable(err) });
  return t("uploadFailed", { detail: detail || readable(err) });
}

/** The server could not read an uploaded file as sound (its ingest failed). */
class NotAudio extends Error {}

/** A file picker with a progress bar; calls onAsset(assetId, asset) when the file is ready. */
export function uploader(role, onAsset, label) {
  const input = h("input", { type: "file", accept: "audio/*", name: "audio-file" });
  const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": t("uploadProgress") });
  const status = h("p", { class: "hint upload-status", "aria-live": "polite" });
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    bar.value = 0;
    bar.hidden = false;
    input.disabled = true;
    delete status.dataset.state;
    status.textContent = t("uploading");
    try {
      const id = await uploadAudio(file, role, (f) => {
        bar.value = Math.round(f * 100);
        status.textContent = `${t("uploading")} ${bar.value} %`;
      });
      status.textContent = t("processing");
      const asset = await waitReady(id);
      if (asset.status === "failed") throw new NotAudio(asset.failure_reason ?? "");
      status.textContent = t("audioReady");
      status.dataset.state = "ready";
      onAsset(id, asset);
    } catch (err) {
      // A full bar beside an error would say the file is there: the bar goes.
      bar.hidden = true;
      bar.value = 0;
      const said = uploadTrouble(err, file);
      status.textContent = `${said}${/[.!?…]$/.test(said) ? "" : "."} ${t("uploadTryAgain")}`;
      status.dataset.state = "error";
      status.setAttribute("role", "alert");
    } finally {
      input.disabled = false;
    }
  });
  return h("div", { class: "uploader" }, field(label, input, t("uploadHint")), bar, status);
}

/** The story section of a stop. */
export async function renderStory(slot, { stop, trail, stopForm, stopPath, onLinked }) {
  clear(slot);
  slot.append(h("h2", { id: "story-title" }, t("story")));
  const editable = canEdit();
  if (!stop.story_id) {
    slot.append(h("p", { class: "hint" }, t("noStory")));
    if (!editable) return;
    const lang0 = trail.languages[0];
    const message = h("div");
    slot.append(
      uploader("voice", async (assetId) => {
        try {
          const story = await post(orgPath("/stories"), {
            title: pick(stop.title, language()) || stop.key,
            versions: { [lang0]: { audio_asset_id: assetId } },
          });
          await patch(stopPath, { story_id: story.id }, stopForm.etag);
          toast(t("storyLinked"));
          onLinked();
        } catch (err) {
          message.append(errorBox([readable(err)]));
        }
      }, t("audioIn", { lang: lang0.toUpperCase() })),
      message,
    );
    return;
  }
  const path = orgPath(`/stories/${stop.story_id}`);
  const { data: story } = await call("GET", path);
  const versions = Object.fromEntries(story.versions.map((v) => [v.language, v]));
  const audioIds = Object.fromEntries(story.versions.map((v) => [v.language, v.audio_asset_id]));
  const form = new EditForm({
    path,
    object: story,
    build: () => {
      const out = {};
      for (const l of new Set([...trail.languages, ...Object.keys(versions)])) {
        const vtt = slot.querySelector(`[name="vtt-${l}"]`)?.value.trim();
        const text = slot.querySelector(`[name="text-${l}"]`)?.value.trim();
        if (!audioIds[l] && !vtt && !text) continue;
        out[l] = { audio_asset_id: audioIds[l] ?? null, transcript_vtt: vtt || null, text: text || null };
      }
      const credits = creditsInput.value.split("\n").map((line) => line.split(/\s+[—–-]\s+/)).filter((p) => p[0].trim()).map(([name, role]) => ({ name: name.trim(), role: (role || "").trim() || "voice" }));
      return { title: title.value, licence: licence.value || null, credits, versions: out };
    },
  });
  const problems = new Problems();
  form.problems = problems;
  // The server names a transcript "versions.fr.transcript_vtt"; the form watches "vtt-fr".
  form.fieldOf = (e) => String(e.field ?? "").replace(/^(?:body\.)?versions\.([^.]+)\.transcript_vtt$/, "vtt-$1");
  form.check = (found) => {
    for (const l of trail.languages) {
      const text = slot.querySelector(`[name="vtt-${l}"]`)?.value.trim();
      if (text && !text.startsWith("WEBVTT")) found.add(`vtt-${l}`, t("vttNotTimed"));
    }
  };
  // The checks beside the map read the story (transcripts, languages): tell them.
  form.onSaved = () => slot.dispatchEvent(new CustomEvent("studio:changed", { bubbles: true }));
  const title = form.bind("title", h("input", { name: "story-title", dir: "auto" }), (o) => o.title);
  const licence = form.bind("licence", h("input", { name: "story-licence", placeholder: "CC-BY-4.0" }), (o) => o.licence ?? "");
  const creditsInput = form.bind("credits", h("textarea", { name: "credits", rows: 2, dir: "auto", placeholder: t("creditsPlaceholder") }), (o) => o.credits.map((c) => `${c.name} — ${c.role}`).join("\n"));
  const perLanguage = trail.languages.map((l) => {
    const v = versions[l];
    const audioSlot = h("div");
    const drawAudio = () => {
      clear(audioSlot);
      const shown = audioIds[l];
      const status = shown === v?.audio_asset_id ? v?.audio_status ?? "ready" : "ready";
      if (shown) {
        const rec = recording(shown, status);
        audioSlot.append(rec);
        if (editable && status === "ready") {
          const trimSlot = h("div");
          audioSlot.append(trimSlot);
          // The edited asset replaces the version's audio and the story is saved at once.
          trimControls(rec, shown, l, async (id) => {
            audioIds[l] = id;
            form.touch(`audio-${l}`);
            if (await form.save()) {
              drawAudio();
              toast(t("editApplied"));
            } else audioIds[l] = shown;
          }).then((node) => node && trimSlot.append(node)).catch(() => {});
        }
      }
      if (editable) {
        audioSlot.append(uploader("voice", (id) => {
          audioIds[l] = id;
          form.touch(`audio-${l}`);
          drawAudio();
          toast(t("audioAttached"));
        }, audioIds[l] ? t("replaceAudio") : t("audioIn", { lang: l.toUpperCase() })));
      }
    };
    drawAudio();
    const transcript = transcriptField(l, "", { audio: () => audioIds[l] });
    form.bind(`vtt-${l}`, transcript.control, (o) => o.versions.find((x) => x.language === l)?.transcript_vtt ?? "");
    problems.watch(`vtt-${l}`, transcript.wrapper, transcript.control, `${t("transcript")} ${l.toUpperCase()}`);
    return h(
      "fieldset",
      { class: "version", dataset: { lang: l } },
      h("legend", {}, t("versionIn", { lang: l.toUpperCase() })),
      audioSlot,
      transcript.node,
    );
  });
  const node = h(
    "form",
    { class: "story-form", id: "story-form", novalidate: true },
    problems.watch("title", field(t("storyTitle"), title), title, t("storyTitle")),
    perLanguage,
    problems.watch("credits", field(t("credits"), creditsInput, t("creditsHint")), creditsInput, t("credits")),
    problems.watch("licence", field(t("licence"), licence), licence, t("licence")),
    problems.summary,
    form.message,
    editable ? h("button", { type: "submit", class: "primary", id: "save-story" }, t("saveStory")) : null,
  );
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    form.save();
  });
  if (!editable) for (const c of node.querySelectorAll("input,textarea")) c.disabled = true;
  slot.append(h("p", { class: `badge ${story.publishable ? "ok" : "warn"}` }, story.publishable ? t("publishable") : t("notPublishable")), node, await consents(story));
}

async function consents(story) {
  const section = h("section", { class: "consents", "aria-labelledby": "consent-title" }, h("h3", { id: "consent-title" }, t("consent")));
  const list = h("ul", { class: "plain" });
  const draw = async () => {
    const page = await get(orgPath(`/stories/${story.id}/consents`));
    const items = page.items ?? page;
    clear(list);
    if (!items.length) list.append(h("li", { class: "hint" }, t("noConsent")));
    for (const c of items) {
      list.append(h("li", {}, `${c.person} · ${c.given_on} · `, c.publication ? t("consentPublication") : t("noPublication"), c.archive ? ` · ${t("consentArchive")}` : "", c.withdrawn_at ? ` · ${t("withdrawn")}` : ""));
    }
  };
  await draw().catch(() => list.append(h("li", { class: "hint" }, t("noConsent"))));
  section.append(list);
  if (!canEdit()) return section;
  const person = h("input", { name: "consent-person", autocomplete: "off" });
  const given = h("input", { type: "date", name: "consent-date", value: new Date().toISOString().slice(0, 10) });
  const problems = new Problems();
  const publication = h("input", { name: "consent-publication", checked: true });
  const archive = h("input", { name: "consent-archive" });
  const message = h("div");
  const form = h(
    "form",
    { class: "consent-form", novalidate: true },
    h(
      "div",
      { class: "row" },
      problems.watch("person", field(t("consentPerson"), person), person, t("consentPerson")),
      problems.watch("given_on", field(t("consentDate"), given), given, t("consentDate")),
    ),
    check(t("consentPublication"), publication),
    check(t("consentArchive"), archive),
    problems.summary,
    message,
    h("button", { type: "submit", class: "quiet" }, t("recordConsent")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(message);
    problems.reset();
    if (!person.value.trim()) problems.add("person", t("consentPersonNeeded"));
    // An impossible date typed in the box reads as empty: say so rather than send nothing.
    if (!given.value) problems.add("given_on", t("consentDateNeeded"));
    if (problems.any) return problems.show();
    try {
      await post(orgPath(`/stories/${story.id}/consents`), { person: person.value, publication: publication.checked, archive: archive.checked, given_on: given.value });
      person.value = "";
      toast(t("consentRecorded"));
      await draw();
    } catch (err) {
      problems.fromError(err);
    }
  });
  section.append(form);
  return section;
}
