// The /play/{slug} page: the trail's facts, download for offline, the walk and listen-from-home.
import { AudioOutput } from "./audio.js";
import { pickCue } from "@baladeur/engine";
import { formatBytes, formatDate, formatDateRange, formatDistance, formatNumber, language, parts, t } from "./i18n.js";
import { chooseStoryLanguage, contentElement, cueLanguage, isolated, markLanguage, pickText, storyLanguage } from "./content.js";
import { Guidance } from "./guidance.js";
import { SpacePanel, placesSounds } from "./spaceview.js";
import { basemapBlob, basemapStatus, downloadBasemap, drawBasemap, keptBasemap, removeBasemap } from "./basemap.js";
import { TrailMap } from "./map.js";
import {
  bestProfile,
  downloadTrail,
  keptDownload,
  mediaBlob,
  removeTrail,
  storageUsed,
  storedManifest,
  storedTrail,
  updateTrail,
} from "./store.js";
import { fill, h, publish, toast } from "./ui.js";
import { VerifyError } from "@baladeur/engine";
import { isQuotaError } from "./partial.js";
import { parseVtt } from "./vtt.js";
import { HomeSession, WalkSession } from "./walk.js";
import { clearWalk, loadWalk } from "./resume.js";

let session = null;
let highlighter = null;
let wakeLock = null;
// The visitor's choice of headphones (HRTF) over the phone's speaker, kept on the phone.
const HEADPHONES_KEY = "baladeur.headphones";
let guidance = null;
const audio = new AudioOutput(mediaBlob);
const shaOf = (path) => path.slice("media/".length).split(".")[0];

// Refusals of a server's key list (bundle format 4.1), told apart from a damaged download.
const KEY_LIST_REFUSALS = new Set(["keys-not-endorsed", "endorsement-invalid", "key-list-malformed", "key-list-too-long"]);

/** What to tell the visitor about a failed download or update: {code, message}. */
function refusal(err) {
  if (isQuotaError(err)) return { code: "quota-exceeded", message: t("quota") };
  if (!(err instanceof VerifyError)) return { code: "download-failed", message: t("failed", { m: err.message }) };
  const code = err.code;
  return { code, message: t(KEY_LIST_REFUSALS.has(code) ? "keysRefused" : "tampered", { code }) };
}

async function json(url) {
  try {
    const response = await fetch(url);
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

async function bundleSize(slug) {
  try {
    // One byte is enough: Content-Range names the whole size.
    const response = await fetch(`/v1/trails/${slug}/bundle?profile=${bestProfile()}`, { headers: { Range: "bytes=0-0" } });
    const total = /\/(\d+)$/.exec(response.headers.get("Content-Range") || "");
    return response.ok && total ? Number(total[1]) : null;
  } catch {
    return null;
  }
}

function listeningSeconds(manifest) {
  let total = 0;
  const heard = storyLanguage(manifest.trail.languages);
  for (const stop of manifest.stops) {
    const cue = pickCue(stop, heard, manifest.trail.languages);
    if (cue && stop.rules.replay !== "loop") total += cue.duration_s;
  }
  return total;
}

function dates(from, until) {
  return from || until ? formatDateRange(from, until) : null;
}

// Credits are not per language: each reads in the direction of its own first letters.
const creditList = (credits) => h("ul", {}, credits.map((c) => h("li", { dir: "auto" }, `${c.name} — ${c.role}`)));

// The trail's credits, then each story's: who speaks, who recorded, who wrote.
function creditsSection(credits, manifest) {
  const stories = (manifest?.stops ?? []).filter((s) => s.credits?.length);
  if (!credits.length && !stories.length) return null;
  const languages = manifest?.trail.languages ?? [];
  return h(
    "section",
    { class: "credits hide-walking", id: "credits", "aria-labelledby": "credits-title" },
    h("h2", { id: "credits-title" }, t("credits")),
    credits.length ? creditList(credits) : null,
    stories.flatMap((s) => [contentElement("h3", {}, pickText(s.title, languages)), creditList(s.credits)]),
  );
}

// Who made the story that plays, each name isolated: a name in Arabic script stays whole.
function creditNames(credits) {
  return h("span", {}, credits.map((c, i) => [i ? ", " : null, h("bdi", {}, `${c.name} (${c.role})`)]));
}

// The language name of a content language, in the interface's language ("Arabe" in French).
function languageName(tag) {
  try {
    const name = new Intl.DisplayNames([language()], { type: "language" }).of(tag);
    return name ? name.charAt(0).toLocaleUpperCase(language()) + name.slice(1) : tag;
  } catch {
    return tag;
  }
}

/** The visitor's choice among a trail's languages of what is heard and read (kept on the phone). */
function storyLanguageChoice(languages, rerender) {
  const current = storyLanguage(languages);
  const control = h(
    "select",
    {
      id: "story-language",
      onchange: () => {
        endSession();
        // The interface's own language is no choice: the stories follow the interface again.
        chooseStoryLanguage(control.value === language() ? null : control.value);
        rerender();
      },
    },
    languages.map((l) => h("option", { value: l, selected: l === current }, languageName(l))),
  );
  return h("p", { class: "story-language hide-walking" }, h("label", { for: "story-language" }, t("storyLanguage")), control);
}

function fact(label, value, id) {
  return value ? h("div", { class: "fact", id }, h("dt", {}, label), h("dd", {}, value)) : null;
}

async function keepAwake(on) {
  try {
    if (on && "wakeLock" in navigator && !wakeLock) {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", () => (wakeLock = null));
    } else if (!on && wakeLock) {
      await wakeLock.release();
      wakeLock = null;
    }
  } catch {
    // refused (battery saver, hidden page): the walk works without it
  }
}

/** Stop any walk or listening session (when leaving the page). */
export function endSession() {
  if (session) session.stop();
  guidance?.stop();
  guidance = null;
  clearInterval(highlighter);
  document.getElementById("main")?.classList.remove("walking");
  session = null;
  keepAwake(false);
}

/** Render one trail's page into main. */
export async function renderTrail(main, slug, rerender) {
  main.classList.remove("walking");
  fill(main, h("p", { class: "muted" }, t("loading")));
  const record = await storedTrail(slug);
  const detail = await json(`/v1/trails/${encodeURIComponent(slug)}`);
  let manifest = record ? await storedManifest(slug) : null;
  // Before downloading, the current manifest (small, anonymous) gives durations and the cover.
  const preview = manifest ?? (await json(`/v1/trails/${encodeURIComponent(slug)}/manifest?profile=${bestProfile()}`));
  if (!detail && !preview) {
    fill(main, h("h1", {}, slug), h("p", { class: "notice" }, t("notStored")), h("a", { class: "btn secondary", href: "/play" }, `← ${t("back")}`));
    publish({ page: "trail", slug, stored: false, error: { code: "not-found" } });
    return;
  }
  const info = preview?.trail ?? {};
  const languages = info.languages ?? detail?.languages ?? [];
  const title = pickText(info.title ?? detail?.title, languages);
  const mapStatus = record ? await basemapStatus(slug) : null;
  // The base map is part of the download: its size counts in the size shown.
  const mapBytes = record ? (mapStatus?.status === "stored" ? mapStatus.bytes : 0) : (preview?.basemap?.bytes ?? 0);
  const bundleBytes = record?.bundle_bytes ?? (navigator.onLine ? await bundleSize(slug) : null);
  const size = bundleBytes === null ? null : bundleBytes + mapBytes;
  const status = h("p", { class: "status", id: "status", role: "status" });
  const progress = h("progress", { id: "progress", max: 1, value: 0, hidden: true });

  let cover = null;
  if (preview?.trail.cover) {
    const sha = shaOf(preview.trail.cover);
    const src = record ? URL.createObjectURL(await mediaBlob(sha).catch(() => new Blob())) : `/v1/media/${preview.trail.cover.slice(6)}`;
    cover = h("img", { class: "cover", src, alt: "" });
  }

  const actions = h("div", { class: "actions" });
  const walkPanel = h("section", { id: "walk", class: "walk", hidden: true });
  const storedLine = h("p", { class: "muted small", id: "storage" });

  const refreshStorage = async () => {
    storedLine.textContent = t("storage", { s: formatBytes(await storageUsed()) });
  };

  const onDownload = async () => {
    progress.hidden = false;
    actions.querySelectorAll("button").forEach((b) => (b.disabled = true));
    try {
      const saved = await downloadTrail(slug, {
        onProgress: (p) => {
          progress.max = p.total || 1;
          progress.value = p.received;
          const pct = p.total ? `${Math.floor((100 * p.received) / p.total)} %` : formatBytes(p.received);
          status.textContent = p.phase === "verify" ? t("verifying") : `${t("downloading", { p: pct })}${p.resumes ? ` (${t("resumed")})` : ""}`;
          publish({ download: { phase: p.phase, received: p.received, total: p.total, resumes: p.resumes } });
        },
      });
      publish({ stored: true, verified: true, resumes: saved.resumes, resumedFrom: saved.resumed_from, error: null });
      await fetchMap();
      rerender();
    } catch (err) {
      const { code, message } = refusal(err);
      status.textContent = message;
      status.className = "status error";
      progress.hidden = true;
      publish({ stored: false, verified: false, error: { code, message } });
      actions.querySelectorAll("button").forEach((b) => (b.disabled = false));
    }
  };

  // After the bundle: the release's base map, if any (a refused one leaves the walk without it).
  const fetchMap = async () => {
    const stored = await storedManifest(slug);
    const map = stored ? await downloadBasemap(slug, stored, {
      onProgress: (p) => {
        progress.max = p.total || 1;
        progress.value = p.received;
        status.textContent = t("downloadingMap", { p: p.total ? `${Math.floor((100 * p.received) / p.total)} %` : formatBytes(p.received) });
      },
    }) : null;
    publish({ basemap: map });
  };

  const onUpdate = async () => {
    try {
      const result = await updateTrail(slug);
      if (result) await fetchMap();
      toast(t("updated", { s: formatBytes(result ? result.record.update_bytes : 0) }), "ok");
      rerender();
    } catch (err) {
      const { code, message } = refusal(err);
      toast(message, "error");
      publish({ error: { code, message } });
    }
  };

  const onRemove = async () => {
    endSession();
    clearWalk(slug);
    await removeTrail(slug);
    await removeBasemap(slug, manifest?.basemap);
    toast(t("removed"));
    publish({ stored: false });
    rerender();
  };

  // The phone's clock decides offline (bundle format section 8).
  const validUntil = manifest?.trail.valid_until ? Date.parse(manifest.trail.valid_until) : null;
  const validFrom = manifest?.trail.valid_from ? Date.parse(manifest.trail.valid_from) : null;
  if (record && validUntil !== null && Date.now() >= validUntil) {
    status.textContent = t("expired");
    status.className = "status error";
    actions.append(h("button", { type: "button", class: "btn danger", id: "remove", onclick: onRemove }, `✕ ${t("remove")}`));
  } else if (record && validFrom !== null && Date.now() < validFrom) {
    status.textContent = t("opensOn", { d: formatDate(validFrom) });
    status.className = "status";
    actions.append(h("button", { type: "button", class: "btn danger", id: "remove", onclick: onRemove }, `✕ ${t("remove")}`));
  } else if (record) {
    status.textContent = `✓ ${t("stored")}${navigator.onLine ? "" : ` · ${t("offline")}`}`;
    status.className = "status ok";
    if (mapStatus && mapStatus.status !== "stored") {
      const text = mapStatus.status === "refused" ? t("mapRefused", { code: mapStatus.code }) : t("mapFailed");
      actions.append(h("p", { class: "notice", id: "map-notice" }, text));
    }
    // A map download cut short (a reload, a lost network) is offered again, from where it stopped.
    if (manifest?.basemap && (!mapStatus || mapStatus.status === "failed")) {
      const kept = await keptBasemap(manifest.basemap.sha256);
      const label = kept?.total
        ? t("resumeMap", { p: formatNumber(kept.received / kept.total, { style: "percent" }) })
        : t("downloadMap", { s: formatBytes(manifest.basemap.bytes) });
      const onMap = async () => {
        progress.hidden = false;
        actions.querySelectorAll("button").forEach((b) => (b.disabled = true));
        await fetchMap();
        rerender();
      };
      actions.append(h("button", { type: "button", class: "btn secondary", id: "download-map", onclick: onMap }, `↓ ${label}`));
      publish({ mapKept: kept ?? null });
    }
    const awake = h("input", { type: "checkbox", id: "keep-awake", checked: localStorage.getItem("baladeur.awake") === "1" });
    awake.addEventListener("change", () => localStorage.setItem("baladeur.awake", awake.checked ? "1" : "0"));
    actions.append(
      h("button", { type: "button", class: "btn primary", id: "start-walk", onclick: () => (session instanceof WalkSession ? stopWalk() : startWalk(manifest, record, walkPanel, awake.checked)) }, `▶ ${t("startWalk")}`),
      h("label", { class: "check" }, awake, t("keepAwake")),
      h("button", { type: "button", class: "btn secondary", id: "from-home", onclick: () => startHome(manifest, walkPanel) }, `⌂ ${t("fromHome")}`),
    );
    if (detail && detail.release > record.release) {
      const changes = await json(`/v1/trails/${slug}/changes?since=${record.release}&profile=${record.profile}`);
      const cost = changes ? formatBytes(changes.download_bytes) : "";
      actions.append(h("button", { type: "button", class: "btn secondary", id: "update", onclick: onUpdate }, `↻ ${t("update", { s: cost })}`));
    }
    actions.append(h("button", { type: "button", class: "btn danger", id: "remove", onclick: onRemove }, `✕ ${t("remove")}`));
    await refreshStorage();
  } else {
    manifest = null;
    const kept = await keptDownload(slug);
    const label = kept?.total
      ? t("resumeDownload", { p: formatNumber(kept.received / kept.total, { style: "percent" }) })
      : `${t("download")}${size ? ` · ${formatBytes(size)}` : ""}`;
    actions.append(h("button", { type: "button", class: "btn primary", id: "download", onclick: onDownload }, `↓ ${label}`));
    status.textContent = t("notStored");
    publish({ kept: kept ?? null });
  }

  const credits = info.credits ?? detail?.credits ?? [];
  const minutes = preview ? Math.max(1, Math.round(listeningSeconds(preview) / 60)) : null;
  fill(
    main,
    h("a", { class: "back", href: "/play" }, `← ${t("back")}`),
    cover,
    contentElement("h1", {}, title),
    h(
      "dl",
      { class: "facts hide-walking" },
      fact(t("length"), detail?.length_m ? formatDistance(detail.length_m) : null, "fact-length"),
      fact(t("duration"), minutes ? t("minutes", { n: minutes }) : null, "fact-duration"),
      fact(t("languages"), languages.map((l) => l.toUpperCase()).join(" · "), "fact-languages"),
      fact(t("size"), size ? formatBytes(size) : null, "fact-size"),
      fact(t("dates"), dates(info.valid_from ?? detail?.valid_from, info.valid_until ?? detail?.valid_until), "fact-dates"),
    ),
    languages.length > 1 ? storyLanguageChoice(languages, rerender) : null,
    status,
    progress,
    actions,
    walkPanel,
    contentElement("p", { class: "lead hide-walking" }, pickText(info.description ?? detail?.description, languages)),
    creditsSection(credits, preview),
    storedLine,
  );
  publish({ page: "trail", slug, stored: Boolean(record), verified: Boolean(record?.verified), release: record?.release ?? null, title: title.text, basemap: mapStatus, size });
  // A walk saved on this phone for this release goes on by itself (a reload, a reopened tab).
  const saved = record && document.getElementById("start-walk") ? loadWalk(slug, record.release) : null;
  if (saved) await startWalk(manifest, record, walkPanel, localStorage.getItem("baladeur.awake") === "1", saved);
}

function stopRow(manifest, stop, index, onPlay) {
  return h(
    "li",
    { class: "stop", "data-stop": stop.key },
    h("span", { class: "num" }, String(index + 1)),
    contentElement("span", { class: "stop-title" }, pickText(stop.title, manifest.trail.languages)),
    h("span", { class: "stop-status" }),
    onPlay && Object.keys(stop.cues).length ? h("button", { type: "button", class: "btn small", "data-play": stop.key, onclick: () => onPlay(stop.key) }, `▶ ${t("play")}`) : null,
  );
}

function walkView(manifest, panel, onPlay, onManual) {
  const map = new TrailMap(manifest, t("map"));
  // The tiles come under the drawing when they are stored (and were verified on arrival).
  basemapBlob(manifest)
    .then((blob) => (blob ? drawBasemap(map, blob, manifest.basemap) : null))
    .then((drawn) => publish({ mapTiles: drawn }))
    .catch((err) => publish({ mapTiles: null, mapError: String(err) }));
  const now = h("div", { class: "now", id: "now-playing" });
  // Said by screen readers when it changes, and only then (not on every fix).
  const announce = h("p", { class: "visually-hidden", id: "announce", role: "status", "aria-live": "polite" });
  const gpsLine = h("p", { class: "gps", id: "gps", role: "status", "aria-live": "polite", hidden: Boolean(onPlay) });
  const suggestionText = h("p", {}, t("suggestManual"));
  const suggestion = h("div", { class: "notice", id: "suggest-manual", hidden: true },
    suggestionText,
    onManual ? h("button", { type: "button", class: "btn secondary", id: "manual-from-suggestion", onclick: onManual }, `⌂ ${t("fromHome")}`) : null,
  );
  const transcript = h("div", { class: "transcript", id: "transcript", "aria-live": "off", hidden: true });
  const transcriptTitle = h("h3", { hidden: true }, t("transcript"));
  // Titles as {text, lang}: shown in their own language, a key when the trail gives none.
  const titled = (texts, key) => {
    const found = pickText(texts, manifest.trail.languages);
    return found.text ? found : { text: key, lang: null };
  };
  const layerTitle = (key) => titled(manifest.ambience.find((a) => a.key === key)?.title, key);
  const position = h("p", { class: "muted small", id: "position" }, onPlay ? t("fromHomeHelp") : t("noPosition"));
  const stops = h("ol", { class: "stops", id: "stops" }, manifest.stops.map((s, i) => stopRow(manifest, s, i, onPlay)));
  guidance = onPlay ? null : new Guidance({ manifest, language: session.language, audio, onReport: publish });
  const titleOf = (key) => titled((manifest.objects ?? []).find((o) => o.key === key)?.title ?? manifest.stops.find((s) => s.key === key)?.title, key);
  // Placed sounds (format 1.2) only: a trail without them shows the walk as before.
  audio.setHeadphones(localStorage.getItem(HEADPHONES_KEY) === "1");
  const space =
    !onPlay && placesSounds(manifest)
      ? new SpacePanel({
          manifest,
          titleOf,
          headphones: audio.headphones,
          onCompass: () => session?.useCompass?.(),
          onHeadphones: (on) => {
            localStorage.setItem(HEADPHONES_KEY, on ? "1" : "0");
            audio.setHeadphones(on);
            if (session) render(session.state);
          },
        })
      : null;
  fill(panel,
    h("h2", {}, onPlay ? t("fromHome") : t("walking")),
    position,
    gpsLine,
    suggestion,
    guidance?.node,
    map.svg,
    now,
    space?.node,
    announce,
    transcriptTitle,
    transcript,
    h("h3", {}, t("stopsList")),
    stops,
  );
  panel.hidden = false;
  let shownFor = null;
  let announced = undefined;
  let gpsShown = null;
  let cues = [];
  // The current transcript line follows the audio.
  const highlight = () => {
    const at = audio.narrationTime();
    cues.forEach((c, i) => transcript.children[i]?.classList.toggle("active", at !== null && at >= c.start && at < c.end));
  };
  clearInterval(highlighter);
  highlighter = setInterval(highlight, 500);
  const render = async (state) => {
    const statuses = {};
    for (const key of state.started) statuses[key] = "played";
    for (const key of state.queue) statuses[key] = "queued";
    if (state.playing) statuses[state.playing] = "playing";
    map.setStatus(statuses);
    guidance?.update(state);
    space?.update(state);
    for (const row of stops.children) {
      const s = statuses[row.dataset.stop];
      row.dataset.status = s ?? "";
      row.querySelector(".stop-status").textContent = s === "played" ? `✓ ${t("played")}` : s === "playing" ? `♪ ${t("playingNow")}` : s === "queued" ? t("queued") : "";
    }
    if (state.geoError) {
      position.textContent = t(state.geoError === "denied" ? "geoDenied" : "geoUnavailable");
      position.className = "notice";
      position.setAttribute("role", "alert");
    } else if (state.fix) {
      map.setPosition(state.fix.lat, state.fix.lon, state.fix.accuracy_m);
      position.textContent = t("position", { a: formatNumber(Math.round(state.fix.accuracy_m)) });
      position.className = "muted small";
      position.removeAttribute("role");
    }
    if (state.mode === "walk" && state.gps !== gpsShown) {
      gpsShown = state.gps;
      gpsLine.textContent = t(`gps_${state.gps}`);
      gpsLine.dataset.quality = state.gps;
    }
    suggestion.hidden = !(state.suggestManual || state.geoError);
    // Refused or unavailable location says it all already; the button is what is left to offer.
    suggestionText.hidden = Boolean(state.geoError);
    gpsLine.hidden = Boolean(onPlay || state.geoError);
    const playing = state.playing ? manifest.stops.find((s) => s.key === state.playing) : null;
    const beds = Object.keys(state.beds).flatMap((k, i) => [i ? " · " : null, `${t("ambience")} « `, isolated(layerTitle(k)), " »"]);
    const playingTitle = playing ? pickText(playing.title, manifest.trail.languages) : null;
    fill(now,
      h("span", { class: "label" }, t("nowPlaying")),
      playing ? contentElement("strong", { id: "now-title" }, playingTitle) : h("strong", {}, t("nothingPlaying")),
      state.paused ? h("span", { class: "small" }, t("paused")) : null,
      state.queue.length ? h("span", { class: "muted small" }, t("waiting", { n: formatNumber(state.queue.length) })) : null,
      beds.length ? h("span", { class: "muted small" }, beds) : null,
      playing?.credits?.length ? h("span", { class: "small", id: "story-credits" }, parts("storyCredits", { c: creditNames(playing.credits) })) : null,
      playing && onPlay ? h("button", { type: "button", class: "btn small", id: "stop-playing", onclick: () => session.stopPlaying() }, `■ ${t("stop")}`) : null,
    );
    if (state.playing !== announced) {
      if (announced !== undefined || state.playing) fill(announce, ...(playing ? parts("announcePlaying", { s: isolated(playingTitle) }) : [t("announceEnded")]));
      announced = state.playing;
    }
    if (state.playing !== shownFor) {
      shownFor = state.playing;
      cues = [];
      transcript.replaceChildren();
      if (playing) {
        const forKey = shownFor;
        const cue = pickCue(playing, session.language, manifest.trail.languages);
        let found = [];
        if (cue?.transcript) {
          try {
            found = parseVtt(await (await mediaBlob(shaOf(cue.transcript))).text());
          } catch {
            found = [];
          }
        }
        if (shownFor !== forKey) return; // another narration started meanwhile
        cues = found.length || !cue?.text ? found : [{ start: 0, end: Infinity, text: cue.text }];
        // The transcript is in the language of the cue that plays (pickCue's fallback).
        markLanguage(transcript, cueLanguage(playing, session.language, manifest.trail.languages));
        transcript.replaceChildren(...cues.map((c) => h("p", {}, c.text)));
      }
      transcript.hidden = transcriptTitle.hidden = cues.length === 0;
    }
    highlight();
    publish({
      playing: state.playing,
      started: state.started,
      queue: state.queue,
      beds: state.beds,
      events: state.events,
      mode: state.mode,
      fix: state.fix,
      gps: state.gps ?? null,
      suggestManual: Boolean(state.suggestManual),
      geoError: state.geoError ?? null,
      paused: Boolean(state.paused),
      resumed: Boolean(state.resumed),
      narration: state.narration ?? null,
      watching: session instanceof WalkSession ? session.watch !== null : false,
      audioTold: audio.told(),
      audioContext: audio.contextState(),
      audioBeds: audio.ctx ? audio.bedGains() : {},
      // Space (format 1.2): the engine's orientation and placed sounds, and what Web Audio holds.
      orientation: state.orientation ?? null,
      compass: state.compass ?? null,
      placed: state.placed ?? {},
      audioPlaced: audio.ctx ? audio.placedNodes() : {},
      headphones: audio.headphones,
      fed: state.fed ?? [],
      // The language the stories are heard and read in (the visitor's, else the bundle's fallback).
      storyLanguage: session?.language ?? null,
    });
  };
  return render;
}

async function startWalk(manifest, record, panel, awake, saved = null) {
  endSession();
  // A walk reopened without a tap may not get the audio at once: the walk waits for it.
  if (saved) audio.ensure().resume().catch(() => {});
  else await audio.unlock();
  if (awake) keepAwake(true);
  const button = document.getElementById("start-walk");
  let render = null;
  session = new WalkSession({
    manifest,
    slug: record.slug,
    release: record.release,
    language: saved?.language ?? storyLanguage(manifest.trail.languages),
    audio,
    saved,
    onChange: (state) => render?.(state),
  });
  render = walkView(manifest, panel, null, () => startHome(manifest, panel));
  document.getElementById("main").classList.add("walking");
  session.start();
  button.textContent = `■ ${t("stopWalk")}`;
  render(session.state);
  panel.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth" });
}

function reducedMotion() {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
}

function stopWalk() {
  endSession();
  document.getElementById("start-walk").textContent = `▶ ${t("startWalk")}`;
}

async function startHome(manifest, panel) {
  endSession();
  await audio.unlock();
  let render = null;
  session = new HomeSession({ manifest, language: storyLanguage(manifest.trail.languages), audio, onChange: (state) => render?.(state) });
  render = walkView(manifest, panel, (key) => session.play(key));
  document.getElementById("main").classList.add("walking");
  render(session.state);
  panel.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth" });
}
