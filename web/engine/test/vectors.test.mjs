// Every trigger vector of docs/trigger-vectors through the engine. Run: npm test (in web/engine).
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { EngineError, TriggerEngine, runTrack, trailFromManifest, trailFromVector } from "../index.js";

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

test("a heading out of [0, 360) is refused and changes nothing", () => {
  const trail = trailFromVector({ objects: [{ key: "wheel", position: [4.4, 50.41], radius_m: 50 }] });
  const fix = { t: 0, lat: 50.41, lon: 4.4, accuracy_m: 5 };
  const engine = new TriggerEngine(trail);
  for (const heading_deg of [360, -1, NaN]) {
    assert.throws(() => engine.feed({ ...fix, heading_deg }), EngineError);
  }
  assert.deepEqual(engine.feed({ ...fix, heading_deg: 0 }).map((e) => e.type), ["enter", "play", "spatial"]);
});

test("an object key may not repeat a stop key", () => {
  const zone = { type: "circle", center: [4.4, 50.41], radius_m: 20 };
  assert.throws(
    () => trailFromVector({ stops: [{ key: "a", zone }], objects: [{ key: "a", position: [4.4, 50.41], radius_m: 5 }] }),
    /unique: a/,
  );
});

test("a format 1.2 manifest's sound objects and story positions reach the engine", () => {
  const zone = { type: "Feature", geometry: { type: "Point", coordinates: [4.4, 50.41] }, properties: { shape: "circle", radius_m: 20 } };
  const cue = { audio: "media/a", duration_s: 5, transcript: null, text: null };
  const manifest = {
    trail: { languages: ["fr"], mode: "free", timezone: "UTC", settings: { ducking_db: -12 } },
    stops: [{ key: "door", zone, rules: {}, cues: { fr: cue }, position: [4.4002, 50.41] }],
    ambience: [],
    objects: [{
      key: "wheel", title: {}, position: [4.4, 50.4101], audio: "media/w", duration_s: 3, radius_m: 30,
      ref_distance_m: 1, rolloff: "inverse", gain_db: 0, loop: true, requires: null, time_windows: [], approach: null, facing: null,
    }],
  };
  const engine = new TriggerEngine(trailFromManifest(manifest, "fr"));
  const events = engine.feed({ t: 0, lat: 50.41, lon: 4.4, accuracy_m: 5 });
  assert.deepEqual(events.map((e) => [e.type, e.stop]), [
    ["enter", "door"], ["enter", "wheel"], ["play", "door"], ["play", "wheel"], ["spatial", "door"], ["spatial", "wheel"],
  ]);
  assert.equal(events[4].db, 0);
  assert.equal(events[5].azimuth, null);
});
