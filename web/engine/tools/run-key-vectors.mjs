// Runs every key-chain vector (docs/key-vectors/) through updatePins and prints a JSON report.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { VerifyError, base64Bytes, updatePins } from "../index.js";

const folder = process.argv[2];
const results = [];
for (const name of readdirSync(folder).sort()) {
  if (!name.endsWith(".json")) continue;
  const vector = JSON.parse(readFileSync(join(folder, name), "utf8"));
  const pinned = new Map(vector.pinned.map((p) => [p.id, base64Bytes(p.public_key)]));
  let got;
  try {
    const update = await updatePins(pinned, vector.document);
    got = { ok: true, current: update.current, added: [...update.added].sort(), pinned: [...update.keys.keys()].sort() };
  } catch (err) {
    got = err instanceof VerifyError ? { ok: false, code: err.code } : { error: String(err) };
  }
  const ok = JSON.stringify(got) === JSON.stringify(vector.expected);
  results.push({ name, ok, got: ok ? undefined : got, expected: ok ? undefined : vector.expected });
}
process.stdout.write(JSON.stringify(results));
