// "Listen to the walk": the simulated walk mixed on the server (from the draft as it is now),
// with its progress in words, then a player and a download link.
import { ApiError, get, post } from "./api.js";
import { check, clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { orgPath } from "./state.js";
import { readable } from "./ui.js";

const POLL_MS = 1000;

export class WalkListener {
  constructor(trail) {
    this.trail = trail;
    this.fixes = null;
    this.binaural = h("input", { id: "listen-binaural" });
    this.button = h("button", { type: "button", class: "quiet", id: "listen-walk", disabled: true, onclick: () => this.listen() }, t("listenWalk"));
    this.status = h("p", { class: "hint", id: "listen-status", "aria-live": "polite" });
    this.player = h("div", { class: "listen-player", id: "listen-player" });
    this.node = h("div", { class: "listen", id: "sim-listen" }, h("div", { class: "row tight" }, this.button, check(t("listenBinaural"), this.binaural)), this.status, this.player);
  }

  /** The walk (fixes every second, t from 0) that the button will send. */
  setWalk(fixes) {
    this.fixes = fixes;
    this.button.disabled = false;
  }

  async listen() {
    this.button.disabled = true;
    clear(this.player);
    this.status.textContent = t("listenQueued");
    const fixes = this.fixes.map(({ t: time, lat, lon, accuracy_m }) => ({ t: time, lat, lon, accuracy_m }));
    try {
      let render = await post(orgPath(`/trails/${this.trail.id}/renders`), { fixes, binaural: this.binaural.checked, format: "opus" });
      const path = orgPath(`/trails/${this.trail.id}/renders/${render.id}`);
      while (render.status === "queued" || render.status === "running") {
        this.status.textContent = t(render.status === "queued" ? "listenQueued" : "listenRunning");
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        render = await get(path);
      }
      if (render.status === "failed") {
        this.status.textContent = t("listenFailed", { reason: render.failure_reason || "" });
        return;
      }
      this.status.textContent = t("listenReady", { minutes: Math.max(1, Math.round(render.duration_s / 60)) });
      const name = `${this.trail.slug}-walk.opus`;
      this.player.append(
        h("audio", { controls: true, preload: "metadata", src: render.audio_url, id: "listen-audio" }),
        h("a", { href: render.audio_url, download: name, id: "listen-download" }, t("listenDownload")),
      );
    } catch (err) {
      // A refused walk's detail is already a sentence for the author, without field names.
      const reason = err instanceof ApiError && err.status === 422 ? err.message : readable(err);
      this.status.textContent = t("listenFailed", { reason });
    } finally {
      this.button.disabled = false;
    }
  }
}
