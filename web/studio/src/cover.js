// The trail's cover on the details tab: a preview, choose or replace a picture, remove it.
//
// The cover is its own sub-resource (PUT/DELETE with the trail's ETag), saved at once; the
// details form shares that ETag, so each change hands the new one to the form.
import { ApiError, call } from "./api.js";
import { clear, errorBox, h, toast } from "./dom.js";
import { t } from "./i18n.js";
import { readable } from "./ui.js";

const ACCEPT = "image/jpeg,image/png,image/webp";

/** The cover card of a trail; ``form`` is the details form whose ETag it keeps current. */
export function coverSection(trail, path, form, editable) {
  const coverPath = `${path}/cover`;
  const preview = h("div", { class: "cover-preview", id: "cover-preview" });
  const message = h("div", { class: "form-message" });
  const input = h("input", { type: "file", accept: ACCEPT, id: "cover-file", hidden: true });
  const choose = h("button", { type: "button", id: "cover-choose", onclick: () => input.click() });
  const remove = h("button", { type: "button", class: "danger", id: "cover-remove", onclick: () => change("DELETE") }, t("coverRemove"));
  let url = null;

  const show = async (draft) => {
    if (url) URL.revokeObjectURL(url);
    url = null;
    choose.textContent = draft.cover_sha256 ? t("coverReplace") : t("coverChoose");
    remove.style.display = draft.cover_sha256 ? "" : "none"; // buttons are styled over [hidden]
    if (!draft.cover_sha256) {
      preview.replaceChildren(h("p", { class: "hint" }, t("coverNone")));
      return;
    }
    try {
      // Fetched rather than linked, so that a failure reads as a sentence in the card.
      const { data } = await call("GET", coverPath, { raw: true });
      url = URL.createObjectURL(data);
      preview.replaceChildren(h("img", { src: url, alt: t("coverAlt"), id: "cover-image" }));
    } catch (err) {
      preview.replaceChildren(errorBox([readable(err)]));
    }
  };

  async function change(method, file) {
    clear(message);
    const options = { etag: form.etag };
    if (file) {
      options.form = new FormData();
      options.form.append("file", file);
    }
    choose.disabled = remove.disabled = true;
    try {
      const { data } = await call(method, coverPath, options);
      form.object = { ...form.object, ...data };
      form.etag = data.etag;
      toast(method === "DELETE" ? t("coverRemoved") : t("coverSaved"));
      await show(data);
    } catch (err) {
      const stale = err instanceof ApiError && err.status === 412;
      message.append(errorBox([stale ? t("coverConflict") : readable(err)]));
    } finally {
      choose.disabled = remove.disabled = false;
    }
  }

  input.addEventListener("change", () => {
    const file = input.files?.[0];
    input.value = "";
    if (file) change("PUT", file);
  });
  show(trail);
  return h(
    "section",
    { class: "card cover", id: "trail-cover" },
    h("h2", {}, t("cover")),
    preview,
    h("p", { class: "hint" }, t("coverHint")),
    message,
    editable ? h("div", { class: "row" }, input, choose, remove) : null,
  );
}
