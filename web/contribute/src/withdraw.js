// The withdrawal page (/contribute/withdraw#CODE): the code comes from the fragment, which
// never reaches a server, and travels only in the JSON body of the API calls.
import { ApiError, withdraw, withdrawalStatus } from "./api.js";
import { h } from "./dom.js";
import { LANGUAGES, chooseLanguage, formatDate, onLanguage, t } from "./i18n.js";
import { button, errorSlot, screen, showError, textField, topbar } from "./ui.js";

const state = { code: "", status: null, view: "status", already: false, justDone: false, unknown: false };

/** Start the withdrawal page. */
export async function start() {
  chooseLanguage(LANGUAGES);
  onLanguage(() => draw());
  state.code = decodeURIComponent(location.hash.slice(1)).trim();
  if (state.code) await load();
  else draw();
}

async function load() {
  try {
    state.status = await withdrawalStatus(state.code);
    state.unknown = false;
  } catch (err) {
    state.status = null;
    state.unknown = err instanceof ApiError && err.status === 404;
    state.failed = !state.unknown;
  }
  state.view = "status";
  draw();
}

function draw() {
  topbar(LANGUAGES, "app.withdrawTitle");
  if (!state.code) return askCode();
  if (state.unknown) return unknown();
  if (state.failed) return failed();
  if (state.view === "confirm") return confirm();
  status();
}

function askCode() {
  const error = errorSlot();
  const input = h("input", { type: "text", name: "code", autocomplete: "off", spellcheck: false });
  screen(
    t("app.withdrawTitle"),
    h(
      "form",
      {
        onsubmit: (event) => {
          event.preventDefault();
          const value = input.value.trim().split("#").pop();
          if (!value) return showError(error, t("withdraw.codeHint"), input);
          state.code = value;
          // Kept in the fragment, so a reload finds it and no server ever sees it.
          history.replaceState(null, "", `#${value}`);
          load();
        },
      },
      textField(t("withdraw.codeLabel"), input, t("withdraw.codeHint")),
      error,
      h("div", { class: "nav" }, h("button", { type: "submit", class: "btn primary" }, t("withdraw.show"))),
    ),
  );
}

function unknown() {
  screen(t("withdraw.unknownTitle"), h("p", { class: "lead" }, t("withdraw.unknownBody")));
}

function failed() {
  screen(t("common.networkError"), button(t("common.tryAgain"), () => load()));
}

function status() {
  const s = state.status;
  const lines = [];
  // Withdrawn before this visit, or withdrawn twice: say so plainly.
  if (state.already || (s.state === "withdrawn" && !state.justDone)) lines.push(h("p", { class: "notice" }, t("withdraw.already")));
  lines.push(
    h("div", { class: "card" },
      h("p", { class: "story-title" }, s.title),
      h("p", {}, t("withdraw.from", { organisation: s.organisation })),
      s.submitted_at ? h("p", { class: "muted" }, t("withdraw.submittedOn", { date: formatDate(s.submitted_at) })) : null,
    ),
  );
  if (s.state === "withdrawn") {
    lines.push(h("p", { class: "lead state" }, t("withdraw.state.withdrawn", { date: formatDate(s.withdrawn_at, true) })));
    lines.push(h("p", {}, s.removed_at ? t("withdraw.removedOn", { date: formatDate(s.removed_at, true) }) : t("withdraw.removing")));
    lines.push(h("p", {}, t("withdraw.doneBody")));
  } else {
    lines.push(h("p", { class: "lead state" }, t(`withdraw.state.${s.state}`)));
    const trails = s.published_in || [];
    if (trails.length) {
      lines.push(
        h("p", {}, t("withdraw.publishedIn", { count: trails.length })),
        h("ul", { class: "trails" }, trails.map((trail) => h("li", {}, trail.trail_url ? h("a", { href: trail.trail_url }, trail.trail_title) : trail.trail_title))),
      );
    } else {
      lines.push(h("p", {}, t("withdraw.notPublished")));
    }
    lines.push(h("div", { class: "nav" }, button(t("withdraw.button"), () => ((state.view = "confirm"), draw()), "danger")));
  }
  const heading = s.state === "withdrawn" ? t("withdraw.doneHeading") : t("withdraw.heading");
  screen(heading, lines);
}

function confirm() {
  const error = errorSlot();
  const yes = button(t("withdraw.confirm"), async () => {
    yes.disabled = true;
    try {
      const result = await withdraw(state.code);
      state.status = result;
      state.already = Boolean(result.already_withdrawn);
      state.justDone = !state.already;
      state.view = "status";
      draw();
    } catch (err) {
      yes.disabled = false;
      if (err instanceof ApiError && err.status === 404) {
        state.unknown = true;
        draw();
      } else {
        showError(error, err instanceof ApiError && err.status ? t("common.unknownError") : t("common.networkError"));
      }
    }
  }, "danger");
  screen(
    t("withdraw.confirmHeading"),
    h("p", { class: "lead" }, state.status.title),
    h("p", {}, t("withdraw.confirmBody")),
    error,
    h("div", { class: "nav" }, yes, button(t("withdraw.cancel"), () => ((state.view = "status"), draw()), "secondary")),
  );
}
