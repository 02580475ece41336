// The contribution page (/contribute/{code}): one step at a time, from the invitation to the
// receipt with the private withdrawal link. Everything typed is kept in ``state`` so that a
// change of language redraws the current step without losing anything.
import { ApiError, openInvitation, receiptPdf, submit, uploadRecording } from "./api.js";
import { recordingProblem, photoProblem } from "./checks.js";
import { announce, h } from "./dom.js";
import { LANGUAGES, chooseLanguage, formatClock, formatDate, formatSize, has, language, onLanguage, t } from "./i18n.js";
import { Recorder, canRecord } from "./recorder.js";
import { button, choices, errorSlot, screen, showError, stepLine, textField, topbar } from "./ui.js";

// The numbered steps; "nothing" (both consents refused) and the receipt stand outside them.
const STEPS = ["welcome", "record", "about", "credit", "publication", "archive", "licence", "send"];
// The licence that keeps a story for the organisation only (server/licences.py).
const ARCHIVE_ONLY = "archive-only";
const LINK_PROBLEMS = {
  expired: ["link.expiredTitle", "link.expiredBody"],
  revoked: ["link.revokedTitle", "link.revokedBody"],
  "used-up": ["link.usedUpTitle", "link.usedUpBody"],
  unknown: ["link.unknownTitle", "link.unknownBody"],
};

const state = {
  code: "",
  info: null,
  step: "welcome",
  problem: null,
  recording: null,
  seconds: 0,
  recorder: null,
  recStatus: "idle",
  micProblem: null,
  title: "",
  text: "",
  photo: null,
  name: "",
  credit: null,
  publication: null,
  archive: null,
  licence: null,
  uploadId: null,
  receipt: null,
  sending: false,
};

/** Start the page for the invitation ``code``. */
export async function start(code) {
  state.code = code;
  chooseLanguage(LANGUAGES);
  onLanguage(() => draw());
  topbar(LANGUAGES, "app.title");
  if (!code) {
    state.problem = "unknown";
    draw();
    return;
  }
  try {
    state.info = await openInvitation(code);
  } catch (err) {
    state.problem = err instanceof ApiError && err.status === 410 ? err.problem.reason || "expired" : "unknown";
    if (err instanceof ApiError && err.status === 0) state.problem = "network";
    draw();
    return;
  }
  chooseLanguage(offered());
  draw();
}

function offered() {
  const languages = (state.info?.languages || LANGUAGES).filter((l) => LANGUAGES.includes(l));
  return languages.length ? LANGUAGES.filter((l) => languages.includes(l)) : LANGUAGES;
}

function draw() {
  topbar(offered(), "app.title");
  if (state.problem) return drawProblem();
  const drawers = { welcome, record, about, credit, publication, archive, licence, send, nothing, receipt };
  drawers[state.step]();
}

function go(step) {
  state.step = step;
  draw();
}

function numbered(step) {
  return stepLine(STEPS.indexOf(step) + 1, STEPS.length);
}

function nav(onContinue, back, continueLabel = t("common.continue")) {
  return h(
    "div",
    { class: "nav" },
    onContinue ? button(continueLabel, onContinue, "primary") : null,
    back ? button(t("common.back"), () => go(back), "secondary") : null,
  );
}

function drawProblem() {
  if (state.problem === "network") {
    screen(t("common.networkError"), button(t("common.tryAgain"), () => location.reload()));
    return;
  }
  const [title, body] = LINK_PROBLEMS[state.problem] || LINK_PROBLEMS.expired;
  screen(t(title), h("p", { class: "lead" }, t(body)));
}

function welcome() {
  const info = state.info;
  const purpose = [];
  if (info.label) purpose.push(h("p", { class: "lead label" }, info.label));
  if (info.topic) purpose.push(h("p", {}, t("welcome.topic", { topic: info.topic })));
  if (info.trail_title && info.stop_title) {
    purpose.push(h("p", {}, t("welcome.trailStop", { trail: info.trail_title, stop: info.stop_title })));
  } else if (info.trail_title) {
    purpose.push(h("p", {}, t("welcome.trail", { trail: info.trail_title })));
  }
  screen(
    t("welcome.heading", { organisation: info.organisation }),
    numbered("welcome"),
    purpose.length ? h("div", { class: "card" }, purpose) : null,
    h("p", {}, t("welcome.how")),
    h(
      "p",
      { class: "muted" },
      info.expires_at ? t("welcome.expires", { date: formatDate(info.expires_at) }) : null,
      info.expires_at && info.uses_left != null ? " " : null,
      info.uses_left != null ? t("welcome.usesLeft", { count: info.uses_left }) : null,
    ),
    h("div", { class: "nav" }, button(t("welcome.start"), () => go("record"))),
  );
}

function record() {
  const limits = state.info.limits || {};
  const error = errorSlot();
  const clock = h("p", { class: "clock", id: "clock", role: "timer", "aria-label": t("record.timer") }, formatClock(state.seconds));
  const status = h("p", { class: "rec-status" }, { recording: t("record.recording"), paused: t("record.paused") }[state.recStatus] || "");
  const tick = (seconds) => {
    state.seconds = seconds;
    // The clock of the screen shown now (a change of language draws a new one).
    const shown = document.getElementById("clock");
    if (shown) shown.textContent = formatClock(seconds);
  };
  const controls = h("div", { class: "rec-controls" });
  const fileInput = h("input", {
    type: "file",
    accept: "audio/*",
    id: "recording-file",
    class: "file-input",
    onchange: () => {
      const file = fileInput.files[0];
      if (!file) return;
      const problem = recordingProblem(file, limits);
      if (problem) {
        fileInput.value = "";
        showError(error, problem, fileInput);
        return;
      }
      state.recorder?.discard();
      Object.assign(state, { recording: file, recStatus: "file", uploadId: null, seconds: 0 });
      draw();
    },
  });
  const chooser = h(
    "div",
    { class: "file-choice" },
    h("label", { for: "recording-file", class: "btn secondary file-label" }, t("record.chooseFile")),
    fileInput,
  );

  const setStatus = (value) => {
    state.recStatus = value;
    draw();
  };
  const recorderFailed = (err) => {
    state.recorder?.discard();
    state.recorder = null;
    state.recStatus = "idle";
    state.micProblem = err?.name === "NotFoundError" ? "record.noMicrophone" : "record.denied";
    draw();
  };
  if (!canRecord()) state.micProblem = state.micProblem || "record.unsupported";

  if (state.recStatus === "idle" && !state.micProblem) {
    controls.append(
      button(t("record.start"), async () => {
        state.recorder = new Recorder({ onTick: tick, maxBytes: limits.recording_max_bytes });
        try {
          await state.recorder.start();
        } catch (err) {
          recorderFailed(err);
          return;
        }
        state.seconds = 0;
        setStatus("recording");
      }, "record"),
    );
  } else if (state.recStatus === "recording" || state.recStatus === "paused") {
    const paused = state.recStatus === "paused";
    controls.append(
      paused
        ? button(t("record.resume"), () => (state.recorder.resume(), setStatus("recording")), "record")
        : button(t("record.pause"), () => (state.recorder.pause(), setStatus("paused")), "secondary"),
      button(t("record.stop"), async () => {
        const file = await state.recorder.stop();
        const problem = recordingProblem(file, limits);
        Object.assign(state, { recording: problem ? null : file, recStatus: problem ? "idle" : "done", uploadId: null });
        draw();
        if (problem) showError(document.querySelector(".error"), problem);
      }, "primary"),
    );
  }

  const listen = [];
  if (state.recording && (state.recStatus === "done" || state.recStatus === "file")) {
    const audio = h("audio", { controls: true, src: URL.createObjectURL(state.recording), preload: "metadata", "aria-label": t("record.listen") });
    listen.push(h("div", { class: "listen" }, h("p", { class: "label" }, t("record.listen")), audio));
    if (state.recStatus === "file") {
      listen.push(h("p", {}, t("record.fileChosen", { name: state.recording.name, size: formatSize(state.recording.size) })));
    } else {
      listen.push(h("p", {}, lengthSentence(state.seconds)));
      if (state.recorder?.limitReached) listen.push(h("p", { class: "note" }, t("record.tooLong")));
    }
    if (canRecord() && !state.micProblem) {
      controls.append(
        button(state.recStatus === "file" ? t("record.start") : t("record.again"), () => {
          Object.assign(state, { recording: null, recStatus: "idle", seconds: 0, uploadId: null });
          draw();
        }, "secondary"),
      );
    }
  }

  const recording = state.recStatus === "recording" || state.recStatus === "paused";
  screen(
    t("record.heading"),
    numbered("record"),
    state.micProblem ? h("p", { class: "notice", role: "alert" }, t(state.micProblem)) : h("p", {}, t("record.intro")),
    state.micProblem || state.recStatus === "file" ? null : h("div", { class: "recorder" }, clock, status),
    controls,
    listen,
    recording ? null : h("div", { class: "or" }, state.micProblem ? null : h("p", { class: "or-line" }, t("record.or")), chooser),
    limits.recording_max_bytes ? h("p", { class: "hint" }, t("record.sizeLimit", { size: formatSize(limits.recording_max_bytes) })) : null,
    error,
    recording
      ? null
      : nav(() => {
          if (!state.recording) return showError(error, t("check.needRecording"));
          go("about");
        }, "welcome"),
  );
}

function lengthSentence(seconds) {
  // Whole seconds as the timer shows them, and never "0 seconds" for a short recording.
  const whole = Math.max(1, Math.floor(seconds));
  return t("record.length", { minutes: Math.floor(whole / 60), seconds: whole % 60 });
}

function about() {
  const limits = state.info.limits || {};
  const error = errorSlot();
  const photoError = errorSlot();
  const title = h("input", {
    type: "text",
    name: "title",
    autocomplete: "off",
    maxlength: limits.title_max || 300,
    value: state.title,
    oninput: () => (state.title = title.value),
  });
  const text = h("textarea", { name: "text", rows: 4, maxlength: limits.text_max || 2000, oninput: () => (state.text = text.value) });
  text.value = state.text;
  const photo = h("input", {
    type: "file",
    name: "photo",
    accept: (limits.photo_types || ["image/jpeg", "image/png", "image/webp"]).join(","),
    onchange: () => {
      const file = photo.files[0];
      if (!file) return;
      const problem = photoProblem(file, limits);
      if (problem) {
        photo.value = "";
        showError(photoError, problem, photo);
        return;
      }
      state.title = title.value;
      state.photo = file;
      draw();
    },
  });
  const chosen = state.photo
    ? h(
        "div",
        { class: "photo-chosen" },
        h("img", { src: URL.createObjectURL(state.photo), alt: "" }),
        h("p", {}, `${state.photo.name} (${formatSize(state.photo.size)})`),
        button(t("about.removePhoto"), () => ((state.photo = null), draw()), "secondary small"),
      )
    : null;
  screen(
    t("about.heading"),
    numbered("about"),
    textField(t("about.title"), title, t("about.titleHint")),
    error,
    textField(t("about.text"), text, t("about.textHint", { count: limits.text_max || 2000 })),
    textField(
      t("about.photo"),
      photo,
      t("about.photoHint", { size: formatSize(limits.photo_max_bytes || 20 * 1024 * 1024) }),
    ),
    photoError,
    chosen,
    nav(() => {
      state.title = title.value.trim();
      if (!state.title) return showError(error, t("about.titleMissing"), title);
      go("credit");
    }, "record"),
  );
}

/** What visitors will read for ``name`` credited as ``credit`` ("" for anonymous). */
export function creditShown(name, credit) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (!words.length || credit === "anonymous") return "";
  if (credit === "first-name") return words[0];
  if (credit === "initials") return words.map((w) => `${Array.from(w)[0].toUpperCase()}.`).join(" ");
  return words.join(" ");
}

function credit() {
  const error = errorSlot();
  const preview = h("p", { class: "preview", "aria-live": "polite" });
  const update = () => {
    const shown = creditShown(state.name, state.credit);
    preview.textContent =
      !state.credit || (!shown && state.credit !== "anonymous")
        ? ""
        : shown
          ? t("credit.preview", { name: shown })
          : t("credit.previewAnonymous");
  };
  const name = h("input", {
    type: "text",
    name: "name",
    autocomplete: "name",
    maxlength: 200,
    value: state.name,
    oninput: () => ((state.name = name.value), update()),
  });
  const group = choices(
    t("credit.choice"),
    "credit",
    [
      ["full-name", t("credit.full")],
      ["first-name", t("credit.first")],
      ["initials", t("credit.initials")],
      ["anonymous", t("credit.anonymous")],
    ],
    state.credit,
    (value) => ((state.credit = value), update()),
  );
  update();
  screen(
    t("credit.heading"),
    numbered("credit"),
    textField(t("credit.name"), name, t("credit.nameHint")),
    group,
    preview,
    error,
    nav(() => {
      state.name = name.value.trim();
      if (!state.name) return showError(error, t("credit.nameMissing"), name);
      if (!state.credit) return showError(error, t("credit.choiceMissing"), group.querySelector("input"));
      go("publication");
    }, "about"),
  );
}

function question(step, key, headingKey, bodyKey, back, next) {
  const error = errorSlot();
  const group = choices(
    t(headingKey),
    key,
    [
      ["yes", t("consent.yes")],
      ["no", t("consent.no")],
    ],
    state[key] === null ? null : state[key] ? "yes" : "no",
    (value) => (state[key] = value === "yes"),
  );
  group.classList.add("yes-no", "legend-hidden");
  screen(
    t(headingKey),
    numbered(step),
    h("p", { class: "lead" }, t(bodyKey)),
    group,
    error,
    nav(() => {
      if (state[key] === null) return showError(error, t("consent.missing"), group.querySelector("input"));
      go(next());
    }, back),
  );
}

function publication() {
  question("publication", "publication", "consent.publicationHeading", "consent.publicationBody", "credit", () => "archive");
}

function archive() {
  question("archive", "archive", "consent.archiveHeading", "consent.archiveBody", "publication", () =>
    !state.publication && !state.archive ? "nothing" : "licence",
  );
}

function nothing() {
  screen(
    t("consent.nothingHeading"),
    h("p", { class: "lead" }, t("consent.nothingBody")),
    h("div", { class: "nav" }, button(t("consent.change"), () => go("publication"))),
  );
}

function licenceExplanation(id) {
  const key = `licence.explain.${id}`;
  return has(key) ? t(key) : t("licence.explain.other");
}

// The server names licences in English; the pages name the ones they know in the resident's language.
function licenceName(licence) {
  const key = `licence.name.${licence.id}`;
  return has(key) ? t(key) : licence.name;
}

function licence() {
  const error = errorSlot();
  // "For the organisation only" contradicts a yes to publication (the server refuses the
  // pair): it is offered only to those who keep their story out of the walks.
  const offeredLicences = state.info.licences || [];
  const fitting = offeredLicences.filter((l) => !state.publication || l.id !== ARCHIVE_ONLY);
  const licences = fitting.length ? fitting : offeredLicences;
  if (!licences.some((l) => l.id === state.licence)) state.licence = null;
  const options = licences.map((l) => [l.id, licenceName(l), licenceExplanation(l.id)]);
  const group = choices(t("licence.heading"), "licence", options, state.licence, (value) => (state.licence = value));
  // The heading already asks the question: the legend is for screen readers only.
  group.classList.add("legend-hidden");
  screen(
    t("licence.heading"),
    numbered("licence"),
    state.publication ? null : h("p", { class: "note" }, t("consent.privateNote")),
    h("p", {}, t("licence.intro")),
    group,
    error,
    nav(() => {
      if (!state.licence) return showError(error, t("licence.missing"), group.querySelector("input"));
      go("send");
    }, "archive"),
  );
}

function yesNo(value) {
  return value ? t("consent.yes") : t("consent.no");
}

function send() {
  const error = errorSlot();
  const shown = creditShown(state.name, state.credit);
  const chosen = (state.info.licences || []).find((l) => l.id === state.licence);
  const licenceShown = chosen ? licenceName(chosen) : state.licence;
  const rows = [
    [t("send.summaryTitle"), state.title],
    [t("send.summaryLength"), state.recStatus === "file" ? state.recording.name : formatClock(state.seconds)],
    [t("send.summaryCredit"), shown || t("credit.anonymous")],
    [t("send.summaryPublication"), yesNo(state.publication)],
    [t("send.summaryArchive"), yesNo(state.archive)],
    [t("send.summaryLicence"), licenceShown],
  ];
  const progress = h("progress", { max: 100, value: 0, id: "send-progress", "aria-label": t("send.progress") });
  const progressText = h("p", { class: "progress-text" });
  const progressBox = h("div", { class: "progress", hidden: true }, progress, progressText);
  const sendButton = button(t("send.send"), () => sendStory(progressBox, progress, progressText, error), "primary");
  screen(
    t("send.heading"),
    numbered("send"),
    h("dl", { class: "summary" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    progressBox,
    error,
    h("div", { class: "nav" }, sendButton, button(t("common.back"), () => go("licence"), "secondary")),
  );
}

function localDate() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

async function sendStory(box, progress, text, error) {
  if (state.sending) return;
  state.sending = true;
  // Nothing else to press while the story travels (a redraw would lose the progress bar).
  const others = [...document.querySelectorAll(".nav .btn, .lang-switch button")];
  for (const control of others) control.disabled = true;
  box.hidden = false;
  showError(error, "");
  let lastAnnounced = -1;
  const onProgress = (fraction) => {
    progress.value = Math.round(fraction * 100);
    text.textContent = t("send.sending", { percent: fraction });
    // Every quarter is enough for a screen reader; the bar shows the rest.
    const quarter = Math.floor(fraction * 4);
    if (quarter !== lastAnnounced) {
      lastAnnounced = quarter;
      announce(text.textContent);
    }
  };
  try {
    if (!state.uploadId) {
      onProgress(0);
      state.uploadId = await uploadRecording(state.code, state.recording, {
        onProgress,
        onRetry: () => {
          text.textContent = t("send.paused");
          announce(text.textContent);
        },
      });
    }
    text.textContent = t("send.finishing");
    const data = {
      title: state.title,
      language: language(),
      contributor_name: state.name,
      credit: state.credit,
      licence: state.licence,
      recording_upload: state.uploadId,
      consent: { person: state.name, publication: state.publication, archive: state.archive, given_on: localDate() },
    };
    if (state.text.trim()) data.text = state.text.trim();
    state.receipt = await submit(state.code, data, state.photo);
    state.sending = false;
    go("receipt");
  } catch (err) {
    state.sending = false;
    for (const control of others) control.disabled = false;
    const status = err instanceof ApiError ? err.status : 0;
    if (status === 410 || status === 404) {
      state.problem = status === 404 ? "unknown" : err.problem.reason || "expired";
      draw();
      return;
    }
    const detail = err instanceof ApiError && status >= 400 && status < 500 ? err.problem.detail || err.problem.title : "";
    showError(error, detail ? t("send.rejected", { detail }) : t("send.failed"));
  }
}

function receipt() {
  const url = state.receipt.withdrawal_url;
  const status = h("p", { class: "status-line", role: "status" });
  // A text area, so that the whole link is seen at once on a narrow screen.
  const linkField = h("textarea", { readOnly: true, rows: 3, name: "withdrawal-link", class: "link-field" });
  linkField.value = url;
  const copy = button(t("receipt.copy"), async () => {
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = t("receipt.copied");
    } catch {
      linkField.select();
      status.textContent = t("receipt.copyFailed");
    }
  }, "secondary");
  const downloads = h("div", { class: "downloads" });
  const pdf = button(t("receipt.pdf"), async () => {
    pdf.disabled = true;
    try {
      const blob = await receiptPdf(state.receipt.withdrawal_code, language());
      const name = `baladeur-withdrawal-${state.receipt.contribution_id || "receipt"}.pdf`;
      const link = h("a", { href: URL.createObjectURL(blob), download: name, class: "pdf-link" }, t("receipt.pdfReady", { name }));
      downloads.replaceChildren(link);
      link.click();
    } catch {
      status.textContent = t("receipt.pdfFailed");
    } finally {
      pdf.disabled = false;
    }
  }, "secondary");
  screen(
    t("receipt.heading"),
    h("p", { class: "lead" }, t("receipt.body", { organisation: state.info.organisation, title: state.title })),
    h("p", {}, t("receipt.next")),
    h(
      "section",
      { class: "card", "aria-labelledby": "link-heading" },
      h("h2", { id: "link-heading" }, t("receipt.linkHeading")),
      h("p", {}, t("receipt.linkBody")),
      textField(t("receipt.linkLabel"), linkField),
      h("div", { class: "nav" }, copy, pdf),
      downloads,
      status,
    ),
  );
}
