// A trail's own texts (its content: titles, descriptions, transcripts) in the language each was
// picked in, with that language's writing direction, apart from the interface around them: an
// Arabic title in a French page reads right to left in its own element, and the visitor may
// hear and read a trail in any of its languages whatever the interface speaks.
import { contentAttributes, textDirection } from "@baladeur/i18n";
import { pickCue } from "@baladeur/engine";
import { language } from "./i18n.js";
import { h } from "./ui.js";

const STORY_LANGUAGE_KEY = "baladeur.storyLanguage";

/** The story language the visitor chose on a trail page (kept on the phone), or null. */
export function chosenStoryLanguage() {
  try {
    return localStorage.getItem(STORY_LANGUAGE_KEY);
  } catch {
    return null;
  }
}

/** Remember the visitor's story language; null goes back to following the interface. */
export function chooseStoryLanguage(tag) {
  try {
    if (tag) localStorage.setItem(STORY_LANGUAGE_KEY, tag);
    else localStorage.removeItem(STORY_LANGUAGE_KEY);
  } catch {
    // A private window may refuse storage: the choice then lasts until the next page.
  }
}

/**
 * The language a trail offering ``languages`` is heard and read in: the visitor's chosen story
 * language, else the interface's, when the trail has it; else the trail's first (bundle format
 * 2.2: the visitor's language if listed, else the first).
 */
export function storyLanguage(languages = []) {
  for (const wanted of [chosenStoryLanguage(), language()]) if (wanted && languages.includes(wanted)) return wanted;
  return languages[0] ?? language();
}

/**
 * One text of a {language: text} map, and the language it is in: ``wanted``, else the first of
 * ``languages`` it has, else its first language in key order (the cues' rule, bundle format 2.3).
 */
export function pickText(texts, languages = [], wanted = storyLanguage(languages)) {
  if (!texts) return { text: "", lang: null };
  const lang = [wanted, ...languages].find((l) => l && texts[l]) ?? Object.keys(texts).sort().find((l) => texts[l]) ?? null;
  return { text: lang ? texts[lang] : "", lang };
}

/** The language of the cue a stop plays for ``wanted`` (pickCue's choice), or null. */
export function cueLanguage(stop, wanted, languages) {
  const cue = pickCue(stop, wanted, languages);
  return cue ? Object.keys(stop.cues).find((l) => stop.cues[l] === cue) : null;
}

/** An element showing a picked text ({text, lang}) with its ``lang`` and ``dir``, as text. */
export function contentElement(tag, attrs, picked) {
  return h(tag, { ...attrs, ...contentAttributes(picked.lang) }, picked.text);
}

/**
 * A picked text inside an interface sentence ("Lecture : …"): a <bdi> with its language, so
 * that a right-to-left title cannot reorder the words around it.
 */
export function isolated(picked) {
  return contentElement("bdi", {}, picked);
}

/** Mark an existing element as showing text in ``lang`` (or unknown: read from the text). */
export function markLanguage(node, lang) {
  if (lang) node.setAttribute("lang", lang);
  else node.removeAttribute("lang");
  node.setAttribute("dir", lang ? textDirection(lang) : "auto");
}
