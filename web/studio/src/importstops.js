// Stops from a GPX, GeoJSON or KML file: the server reads the file (the same readers as
// `baladeur convert`), the studio lists what it would create, and only a confirmation creates
// them, all at once or none.
import { ApiError, post } from "./api.js";
import { clear, field, fill, h } from "./dom.js";
import { Problems } from "./formcheck.js";
import { language, t } from "./i18n.js";
import { formatPlace } from "./places.js";
import { pick, readable } from "./ui.js";

// What the file picker offers; the server decides by the name's extension and the content.
const ACCEPT = ".gpx,.geojson,.json,.kml,application/gpx+xml,application/geo+json,application/vnd.google-earth.kml+xml";

/** What is wrong with the file, in the server's words without its field paths. */
function fileProblem(err) {
  if (!(err instanceof ApiError && err.status === 422 && err.errors.length)) return readable(err);
  // "stops.1.zone.circle.center": the second place of the file, counted from 1.
  return err.errors
    .map((e) => {
      const index = /^stops\.(\d+)\./.exec(e.field ?? "");
      return index ? t("importPlace", { n: Number(index[1]) + 1, problem: e.message }) : e.message;
    })
    .join(" · ");
}

export class StopImport {
  /** ``done(created)`` runs after the stops were created. */
  constructor(stopsPath, done) {
    this.path = `${stopsPath}/import`;
    this.done = done;
    this.problems = new Problems();
    this.file = h("input", { type: "file", id: "import-file", name: "import-file", accept: ACCEPT });
    this.preview = h("div", { class: "import-preview", id: "import-preview", "aria-live": "polite" });
    const wrapper = this.problems.watch("file", field(t("importStops"), this.file, t("importHint")), this.file, t("importStops"));
    this.node = h("section", { class: "import-stops", id: "import-stops" }, wrapper, this.preview);
    this.file.addEventListener("change", () => this.read());
  }

  async body(preview) {
    const chosen = this.file.files[0];
    return { file_name: chosen.name, content: await chosen.text(), preview };
  }

  async read() {
    this.problems.reset();
    clear(this.preview);
    if (!this.file.files.length) return;
    try {
      const result = await post(this.path, await this.body(true));
      this.showPreview(result);
    } catch (err) {
      this.problems.add("file", fileProblem(err));
    }
  }

  showPreview({ stops, dropped }) {
    const lang = language();
    const create = h("button", { type: "button", class: "primary", id: "import-create", onclick: () => this.create(create) }, t("importCreate", { n: stops.length }));
    const cancel = h("button", { type: "button", class: "quiet", id: "import-cancel", onclick: () => this.reset() }, t("cancel"));
    // fill() rather than append(): it skips the missing list of what was left out.
    fill(
      this.preview,
      h("p", {}, t("importPreview", { n: stops.length })),
      h(
        "ol",
        { class: "import-list", id: "import-list" },
        stops.map((s) => h("li", {}, pick(s.title, lang) || s.key, " ", h("span", { class: "hint" }, formatPlace(s.zone.center?.[1] ?? s.zone.coordinates[0][0][1], s.zone.center?.[0] ?? s.zone.coordinates[0][0][0])))),
      ),
      dropped.length ? h("ul", { class: "hint import-dropped" }, dropped.map((d) => h("li", {}, d))) : null,
      h("div", { class: "actions import-actions" }, cancel, create),
    );
  }

  async create(button) {
    button.disabled = true;
    this.problems.reset();
    try {
      const result = await post(this.path, await this.body(false));
      this.reset();
      await this.done(result.stops);
    } catch (err) {
      button.disabled = false;
      this.problems.add("file", fileProblem(err));
    }
  }

  reset() {
    this.file.value = "";
    clear(this.preview);
    this.problems.reset();
  }
}
