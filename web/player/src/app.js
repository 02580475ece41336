// The visitor player: routes /play and /play/{slug}, registers the offline service worker.
import { LANGUAGES, chooseLanguage, language, setLanguage, t } from "./i18n.js";
import { renderList } from "./list.js";
import { endSession, renderTrail } from "./trailpage.js";
import { h, publish } from "./ui.js";

function route() {
  const match = /^\/play\/([a-z0-9][a-z0-9-]*)\/?$/.exec(location.pathname);
  return match ? match[1] : null;
}

async function render() {
  const main = document.getElementById("main");
  document.documentElement.lang = language();
  document.querySelector(".langs")?.setAttribute("aria-label", t("interfaceLanguage"));
  for (const button of document.querySelectorAll(".lang")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language()));
  }
  const slug = route();
  try {
    if (slug) await renderTrail(main, slug, render);
    else await renderList(main);
  } catch (err) {
    main.replaceChildren(h("p", { class: "notice" }, String(err.message || err)));
    publish({ error: { code: "page", message: String(err) } });
  }
  publish({ ready: true, online: navigator.onLine, language: language() });
}

chooseLanguage();
for (const button of document.querySelectorAll(".lang")) {
  button.addEventListener("click", () => {
    if (!LANGUAGES.includes(button.dataset.lang) || button.dataset.lang === language()) return;
    endSession();
    setLanguage(button.dataset.lang);
    render();
  });
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker
    .register("/play/sw.js", { scope: "/play" })
    .then(() => navigator.serviceWorker.ready)
    .then(() => publish({ offlineReady: true }))
    .catch((err) => publish({ offlineReady: false, swError: String(err) }));
}
window.addEventListener("online", () => publish({ online: true }));
window.addEventListener("offline", () => publish({ online: false }));
render();
