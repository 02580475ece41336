// The title a new stop gets, in each language of its trail (content, not interface text): a
// French trail gets "Arrêt 1" whatever language the studio is shown in.

// The word for a stop per content language (its BCP 47 primary subtag); others get "Stop".
const STOP_WORD = { fr: "Arrêt", nl: "Halte", de: "Station", en: "Stop" };

/** The word for "stop" in content language ``tag`` (fr-BE → fr). */
export function stopWord(tag) {
  return STOP_WORD[String(tag).toLowerCase().split("-")[0]] ?? STOP_WORD.en;
}

/** Titles of the ``n``th new stop, one per trail language: {fr: "Arrêt 3", nl: "Halte 3"}. */
export function newStopTitles(languages, n) {
  return Object.fromEntries(languages.map((l) => [l, `${stopWord(l)} ${n}`]));
}
