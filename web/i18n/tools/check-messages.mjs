// Checks one app's message files (web/<app>/messages/) against English, the source: every
// language has exactly English's keys, each message parses as ICU MessageFormat, and uses the
// same placeholders (arguments, plurals, selects) as its English message.
// Usage: node web/i18n/tools/check-messages.mjs <messages folder>; exit 1 on a problem.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { IntlMessageFormat } from "intl-messageformat";

const folder = process.argv[2];
if (!folder) {
  console.log("usage: node web/i18n/tools/check-messages.mjs <messages folder>");
  process.exit(2);
}
const SOURCE = "en";

/** The names of the arguments a message uses, found in its parsed form. */
function argumentsOf(message, lang) {
  const names = new Set();
  const walk = (elements) => {
    for (const element of elements) {
      // Literal (0) and '#' (7) name nothing; every other element names an argument.
      if (element.type !== 0 && element.type !== 7) names.add(element.value);
      for (const option of Object.values(element.options || {})) walk(option.value);
      if (element.children) walk(element.children);
    }
  };
  walk(new IntlMessageFormat(message, lang).getAst());
  return names;
}

const tables = {};
for (const name of readdirSync(folder).filter((n) => n.endsWith(".json"))) {
  tables[name.slice(0, -5)] = JSON.parse(readFileSync(join(folder, name), "utf8"));
}
const problems = [];
const source = tables[SOURCE];
if (!source) problems.push(`no ${SOURCE}.json in ${folder}`);
for (const [lang, table] of Object.entries(tables)) {
  for (const key of Object.keys(source || {})) {
    if (!(key in table)) problems.push(`${lang}: missing ${key}`);
  }
  for (const [key, message] of Object.entries(table)) {
    if (source && !(key in source)) {
      problems.push(`${lang}: ${key} is not in ${SOURCE}.json`);
      continue;
    }
    let names;
    try {
      names = argumentsOf(message, lang);
    } catch (err) {
      problems.push(`${lang}: ${key} does not parse: ${err.message}`);
      continue;
    }
    if (!source) continue;
    const wanted = argumentsOf(source[key], SOURCE);
    const missing = [...wanted].filter((n) => !names.has(n));
    const extra = [...names].filter((n) => !wanted.has(n));
    if (missing.length) problems.push(`${lang}: ${key} lacks the placeholder(s) ${missing.join(", ")}`);
    if (extra.length) problems.push(`${lang}: ${key} has unknown placeholder(s) ${extra.join(", ")}`);
  }
}
for (const line of problems) console.log(line);
if (problems.length) process.exit(1);
console.log(`messages: ${Object.keys(tables).sort().join(", ")} agree with ${SOURCE}.json (${Object.keys(source).length} keys)`);
