// The licences a resident can choose on an invitation link, by the server's ids. The server
// defines the ids and what each allows; this only says how the studio names them.
import { t } from "./i18n.js";

const NAMES = {
  "cc-by-4.0": "licenceCcBy",
  "cc-by-sa-4.0": "licenceCcBySa",
  "cc-by-nc-4.0": "licenceCcByNc",
  "archive-only": "licenceArchiveOnly",
};

/** The ids a new link offers by default (all of them). */
export const LICENCE_IDS = Object.freeze(Object.keys(NAMES));

/** The name of a licence id in the interface language (the id itself when unknown). */
export function licenceName(id) {
  return NAMES[id] ? t(NAMES[id]) : id;
}
