// Runs every trigger vector through the JS engine and prints a JSON report (used by the tests).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runTrack, trailFromVector } from "../index.js";

const folder = process.argv[2];
const results = [];
for (const name of readdirSync(folder).sort()) {
  if (!name.endsWith(".json") || name === "vector.schema.json") continue;
  const vector = JSON.parse(readFileSync(join(folder, name), "utf8"));
  let got;
  try {
    got = runTrack(trailFromVector(vector.trail), vector.fixes, vector.finish_t);
  } catch (err) {
    got = { error: String(err) };
  }
  const ok = JSON.stringify(got) === JSON.stringify(vector.expected);
  results.push({ name, ok, got: ok ? undefined : got, expected: ok ? undefined : vector.expected });
}
process.stdout.write(JSON.stringify(results));
