// A form bound to one API object with an ETag: saves with If-Match and handles edit conflicts.
//
// On 412 the form keeps what the mediator typed, says someone else saved first, and offers to
// load the other version: fields the mediator did not touch take the new values, touched
// fields keep the typed text, and the next save uses the new ETag.
import { ApiError, call } from "./api.js";
import { clear, errorBox, h, toast } from "./dom.js";
import { t } from "./i18n.js";
import { readable } from "./ui.js";

export class EditForm {
  /** path: the object's URL; object: its JSON (with etag); build(): the PATCH body. */
  constructor({ path, object, build, onSaved }) {
    this.path = path;
    this.object = object;
    this.etag = object.etag;
    this.build = build;
    this.onSaved = onSaved;
    this.fields = [];
    this.dirty = new Set();
    this.message = h("div", { class: "form-message" });
    // Optional: a formcheck Problems that shows refusals by their fields, a check(problems)
    // run before sending, and fieldOf(error) naming the watched field of a server error.
    this.problems = null;
    this.check = null;
    this.fieldOf = null;
  }

  /** Bind a control: read(object) gives its value; it becomes dirty when the person types. */
  bind(name, control, read, write = (c, v) => (c.type === "checkbox" ? (c.checked = !!v) : (c.value = v ?? ""))) {
    write(control, read(this.object));
    const mark = () => this.dirty.add(name);
    control.addEventListener("input", mark);
    control.addEventListener("change", mark);
    this.fields.push({ name, control, read, write });
    return control;
  }

  /** Mark a field changed by code (e.g. a zone dragged on the map). */
  touch(name) {
    this.dirty.add(name);
  }

  /** PATCH ``body`` with If-Match and take the answer as the current version; throws
   * ApiError. Fields typed but not sent stay marked as changed. */
  async send(body) {
    const { data, etag } = await call("PATCH", this.path, { body, etag: this.etag });
    this.object = data;
    this.etag = data.etag || etag;
    return data;
  }

  async save() {
    clear(this.message);
    if (this.problems) {
      this.problems.reset();
      this.check?.(this.problems);
      if (this.problems.any) {
        this.problems.show();
        return null;
      }
    }
    try {
      const data = await this.send(this.build());
      this.dirty.clear();
      toast(t("saved"));
      this.onSaved?.(data);
      return data;
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) this.showConflict();
      else if (this.problems) {
        if (this.fieldOf && err instanceof ApiError) err.errors = err.errors.map((e) => ({ ...e, field: this.fieldOf(e) ?? e.field }));
        this.problems.fromError(err);
      } else this.message.append(errorBox([readable(err)]));
      return null;
    }
  }

  showConflict() {
    const button = h("button", { type: "button", class: "primary", id: "conflict-reload", onclick: () => this.reload() }, t("conflictReload"));
    this.message.append(
      h("div", { class: "alert warning conflict", role: "alert" }, h("p", {}, h("strong", {}, t("conflictTitle")), " ", t("conflictBody")), button),
    );
    button.focus();
  }

  /** Take the latest version, keeping every field the person changed. */
  async reload() {
    clear(this.message);
    try {
      const { data, etag } = await call("GET", this.path);
      this.object = data;
      this.etag = data.etag || etag;
      for (const f of this.fields) if (!this.dirty.has(f.name)) f.write(f.control, f.read(data));
      this.message.append(h("p", { class: "alert info", role: "status" }, t("conflictLoaded")));
      this.onReloaded?.(data, this.dirty);
    } catch (err) {
      this.message.append(errorBox([readable(err)]));
    }
  }
}
