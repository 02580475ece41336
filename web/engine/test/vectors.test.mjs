// Every trigger vector of docs/trigger-vectors through the engine. Run: npm test (in web/engine).
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { EngineError, TriggerEngine, runTrack, trailFromVector } from "../index.js";

const folder = fileURLToPath(new URL("../../../docs/trigger-vectors/", import.meta.url));
const names = readdirSync(folder).filter((n) => n.endsWith(".json") && n !== "vector.schema.json").sort();

test("the vectors are there", () => assert.ok(names.length >= 73, `${names.length} vectors`));

for (const name of names) {
  test(name, () => {
    const vector = JSON.parse(readFileSync(folder + name, "utf8"));
    const got = runTrack(trailFromVector(vector.trail), vector.fixes, vector.finish_t);
    assert.deepEqual(JSON.parse(JSON.stringify(got)), vector.expected);
  });
}

test("a fix or an end that is not a finite number is refused", () => {
  const trail = trailFromVector({ stops: [{ key: "a", zone: { type: "circle", center: [4.4, 50.41], radius_m: 20 }, duration_s: 5 }] });
  const good = { t: 0, lat: 50.41, lon: 4.4, accuracy_m: 5 };
  for (const bad of [{ t: NaN }, { t: Infinity }, { accuracy_m: NaN }, { lat: NaN }]) {
    assert.throws(() => new TriggerEngine(trail).feed({ ...good, ...bad }), EngineError);
  }
  assert.throws(() => new TriggerEngine(trail).finish(NaN), EngineError);
});
