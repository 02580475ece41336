// The pieces every screen is made of: the language switch, a step's heading (focused when
// the step opens), error lines tied to their fields, big buttons and yes/no questions.
import { clear, h, uid } from "./dom.js";
import { LANGUAGE_NAMES, language, setLanguage, t } from "./i18n.js";

/** The top bar: the name of the page and the language switch (always visible). */
export function topbar(offered, titleKey) {
  const bar = clear(document.getElementById("topbar"));
  const switcher = h(
    "nav",
    { class: "lang-switch", "aria-label": t("app.language") },
    offered.map((lang) =>
      h(
        "button",
        {
          type: "button",
          lang,
          "aria-pressed": String(lang === language()),
          class: lang === language() ? "on" : "",
          onclick: () => setLanguage(lang),
        },
        LANGUAGE_NAMES[lang],
      ),
    ),
  );
  bar.append(h("p", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }, "◉"), " ", t(titleKey)), switcher);
  document.title = `${t(titleKey)} · Baladeur`;
}

/** Replace the main area with a screen whose heading gets the focus. */
export function screen(heading, ...content) {
  const main = clear(document.getElementById("main"));
  const title = h("h1", { tabindex: "-1", id: "step-heading" }, heading);
  main.append(title, ...content.flat().filter(Boolean));
  title.focus();
  window.scrollTo(0, 0);
  return main;
}

/** A "step n of N" line. */
export function stepLine(step, total) {
  return h("p", { class: "step" }, t("common.stepOf", { step, total }));
}

/** A big button. */
export function button(label, onclick, kind = "primary", attrs = {}) {
  return h("button", { type: "button", class: `btn ${kind}`, onclick, ...attrs }, label);
}

/** A place for a step's error, announced when it fills. */
export function errorSlot() {
  return h("p", { class: "error", role: "alert", id: uid("err") });
}

/** Show ``text`` in an error slot, tied to ``field`` (if any) for screen readers. */
export function showError(slot, text, field) {
  slot.textContent = text || "";
  if (field) {
    field.setAttribute("aria-invalid", text ? "true" : "false");
    const described = new Set((field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    if (text) described.add(slot.id);
    else described.delete(slot.id);
    field.setAttribute("aria-describedby", [...described].join(" "));
    if (text) field.focus();
  }
}

/** A labelled text field with an optional hint. */
export function textField(label, control, hint) {
  control.id = control.id || uid();
  const hintNode = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintNode);
}

/**
 * A group of radio buttons (fieldset and legend), nothing chosen unless ``value`` is given.
 * ``options``: [[value, label, explanation?]...]; ``onchange(value)``.
 */
export function choices(legend, name, options, value, onchange) {
  const group = h("fieldset", { class: "choices" }, h("legend", {}, legend));
  for (const [optionValue, label, explanation] of options) {
    const id = uid("c");
    const input = h("input", {
      type: "radio",
      name,
      id,
      value: optionValue,
      checked: value === optionValue,
      onchange: () => onchange(optionValue),
    });
    const note = explanation ? h("span", { class: "explain", id: `${id}-note` }, explanation) : null;
    if (note) input.setAttribute("aria-describedby", note.id);
    group.append(h("div", { class: "choice" }, input, h("label", { for: id }, label), note));
  }
  return group;
}
