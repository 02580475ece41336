// The studio shell: sign-in, the top bar (organisation, language, sign-out) and the pages.
import "leaflet/dist/leaflet.css";
import "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css";
import "./studio.css";
import { ApiError, all, call, get, post, setSignedIn } from "./api.js";
import { clear, errorBox, field, h, select, toast } from "./dom.js";
import { LANGUAGES, LANGUAGE_NAMES, applyStatic, chooseLanguage, language, setLanguage, t } from "./i18n.js";
import { canEdit, navigate, role, setOrg, state } from "./state.js";
import { renderTrailList } from "./trails.js";
import { link, readable } from "./ui.js";
import { renderTrail } from "./trail.js";
import { renderReview } from "./review.js";
import { renderInvitations } from "./invitations.js";
import { renderOrganisations } from "./organisations.js";
import { renderMembers } from "./members.js";
import { renderJoin } from "./join.js";

const main = () => document.getElementById("main");
chooseLanguage();

function signInPage() {
  const email = h("input", { type: "email", name: "email", autocomplete: "username" });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password" });
  const message = h("div", { id: "sign-in-error" });
  const form = h(
    "form",
    { class: "card sign-in", id: "sign-in", novalidate: true },
    h("h1", {}, t("studio")),
    h("p", { class: "lead" }, t("signInLead")),
    field(t("email"), email),
    field(t("password"), password),
    message,
    h("button", { class: "primary", type: "submit" }, t("signIn")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(message);
    const missing = [!email.value.trim() && t("emailNeeded"), !password.value && t("passwordNeeded")].filter(Boolean);
    if (missing.length) return message.append(errorBox(missing));
    try {
      // The answer sets an HttpOnly cookie: no token ever reaches this page's scripts.
      await post("/v1/auth/session", { email: email.value, password: password.value });
      await start();
    } catch (err) {
      const text = err instanceof ApiError && err.status === 401 ? t("badCredentials") : readable(err);
      message.append(errorBox([text]));
    }
  });
  clear(main()).append(h("div", { class: "centre" }, form));
  email.focus();
}

function topBar() {
  const bar = clear(document.getElementById("topbar"));
  const brand = h("a", { class: "brand", href: "/studio", onclick: link("/studio") }, h("span", { class: "logo", "aria-hidden": "true" }, "◉"), " Baladeur ", h("span", { class: "muted" }, t("studio")));
  const langSwitch = h(
    "div",
    { class: "lang-switch", role: "group", "aria-label": t("interfaceLanguage") },
    // Each language by its code (FR, NL, EN, DE: the same in all four, and short enough for an
    // administrator's bar to hold on one line), named in itself on hover, so that someone lost
    // in a language they cannot read finds theirs. The code stays the button's name: what it
    // shows is what speech control and screen readers call it (as in the player).
    LANGUAGES.map((l) =>
      h(
        "button",
        { type: "button", class: l === language() ? "on" : "", "aria-pressed": String(l === language()), lang: l, title: LANGUAGE_NAMES[l], dataset: { lang: l }, onclick: () => { setLanguage(l); route(); } },
        l.toUpperCase(),
      ),
    ),
  );
  if (!state.me) {
    bar.append(brand, h("div", { class: "spacer" }), langSwitch);
    return;
  }
  const section = ["review", "invitations", "members", "organisations"].find((name) => location.pathname.startsWith(`/studio/${name}`)) ?? "trails";
  const orgs = (state.orgs ?? []).map((o) => [o.slug, o.name]);
  const orgSelect = select(orgs, state.org, { id: "org-switch", title: (state.orgs ?? []).find((o) => o.slug === state.org)?.name ?? "" });
  const name = state.me.display_name || state.me.email;
  orgSelect.addEventListener("change", () => {
    setOrg(orgSelect.value);
    navigate("/studio");
  });
  bar.append(
    brand,
    h(
      "nav",
      { id: "main-nav", "aria-label": t("mainNav") },
      h("a", { href: "/studio", onclick: link("/studio"), "aria-current": section === "trails" ? "page" : null }, t("trails")),
      h("a", { href: "/studio/review", id: "nav-review", onclick: link("/studio/review"), "aria-current": section === "review" ? "page" : null }, t("review")),
      canEdit() ? h("a", { href: "/studio/invitations", id: "nav-invitations", onclick: link("/studio/invitations"), "aria-current": section === "invitations" ? "page" : null }, t("invitations")) : null,
      role() === "owner" ? h("a", { href: "/studio/members", id: "nav-members", onclick: link("/studio/members"), "aria-current": section === "members" ? "page" : null }, t("members")) : null,
      state.me.is_admin ? h("a", { href: "/studio/organisations", id: "nav-organisations", onclick: link("/studio/organisations"), "aria-current": section === "organisations" ? "page" : null }, t("organisations")) : null,
    ),
    // The select shows the organisation's name: its label is for screen readers, room for the languages.
    h("label", { class: "org-label visually-hidden", for: "org-switch" }, t("organisation")),
    orgSelect,
    langSwitch,
    h("span", { class: "who", title: state.me.email }, name),
    // Under 1440 px the name gives its room to the menu: Sign out then says whose session it ends.
    h("button", { type: "button", id: "sign-out", class: "quiet", title: t("signedInAs", { name: state.me.email }), onclick: signOut }, t("signOut")),
  );
}

async function signOut() {
  try {
    await call("DELETE", "/v1/auth/tokens/current");
  } catch {
    // Signed out here either way; the server also forgets the session when it expires.
  }
  setSignedIn(false);
  state.me = null;
  route();
}

// The drawings of pages, counted: a navigation or a language switch while a page still waits
// for the server makes that older drawing stale.
let drawings = 0;

/**
 * A fresh place in <main> for one drawing of a page. It replaces the previous one, so whatever
 * an older, stale drawing still appends when its answers arrive lands outside the page: one
 * page, drawn once, in the language of the latest switch. (display: contents, so the page's
 * parts are laid out as main's own children.)
 */
function drawingSlot() {
  const slot = h("div", { class: "drawing" });
  clear(main()).append(slot);
  return slot;
}

async function route() {
  const drawing = ++drawings;
  applyStatic();
  topBar();
  const path = location.pathname.replace(/\/+$/, "");
  // An invitation link opens without an account: accepting it makes one.
  const join = path.match(/^\/studio\/join\/([^/]+)$/);
  if (!state.me && join) return renderJoin(drawingSlot(), decodeURIComponent(join[1]), signInPage);
  if (!state.me) return signInPage();
  // Pages that hold something running (a listening map) let it go before they disappear.
  window.dispatchEvent(new Event("studio:leave"));
  const target = drawingSlot();
  const trail = path.match(/^\/studio\/trails\/(\d+)(?:\/(\w+))?$/);
  try {
    if (trail) await renderTrail(target, Number(trail[1]), trail[2] || "map");
    else if (path === "/studio/review") await renderReview(target);
    else if (path === "/studio/invitations") await renderInvitations(target);
    else if (path === "/studio/members") await renderMembers(target);
    else if (path === "/studio/organisations") await renderOrganisations(target);
    else if (join) await renderJoin(target, decodeURIComponent(join[1]), signInPage);
    else await renderTrailList(target);
  } catch (err) {
    // A stale drawing's failure concerns a page no longer shown.
    if (drawing === drawings) target.append(errorBox([readable(err)]));
  }
}

async function start() {
  // The session cookie is HttpOnly: asking who is signed in is the only way to know.
  try {
    state.me = await get("/v1/me");
  } catch {
    state.me = null;
  }
  setSignedIn(state.me !== null);
  // Members see their organisations; administrators see every one (GET /v1/orgs).
  state.orgs = state.me ? await all("/v1/orgs").catch(() => []) : [];
  if (state.me && !state.orgs.some((o) => o.slug === state.org)) {
    setOrg(state.orgs[0]?.slug ?? null);
  }
  return route();
}

window.addEventListener("popstate", route);
// Anything that slips through still reaches the person as a sentence, and the console.
window.addEventListener("unhandledrejection", (event) => {
  console.error("studio:", event.reason);
  toast(readable(event.reason));
});
window.addEventListener("studio:route", route);
// Someone made or joined an organisation: learn again who they are and where they belong.
window.addEventListener("studio:refresh", start);
window.addEventListener("studio:signed-out", () => {
  state.me = null;
  route();
});

try {
  state.config = await (await fetch("/studio/config.json")).json();
} catch {
  // Without the config the map keeps its plain background.
}
await start();
