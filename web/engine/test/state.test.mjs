// state()/restore(): an engine saved after any fix of any vector and restored into a new
// engine of the same trail goes on with exactly the vector's events.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { EngineError, TriggerEngine, eventJson, trailFromVector } from "../index.js";

const folder = fileURLToPath(new URL("../../../docs/trigger-vectors/", import.meta.url));
const names = readdirSync(folder).filter((n) => n.endsWith(".json") && n !== "vector.schema.json").sort();

function resumedAt(vector, cut) {
  const trail = trailFromVector(vector.trail);
  const first = new TriggerEngine(trail);
  const events = [];
  vector.fixes.slice(0, cut).forEach((fix) => events.push(...first.feed(fix)));
  // Through JSON, as a player stores it.
  const saved = JSON.parse(JSON.stringify(first.state()));
  const second = new TriggerEngine(trail).restore(saved);
  vector.fixes.slice(cut).forEach((fix) => events.push(...second.feed(fix)));
  events.push(...second.finish(vector.finish_t));
  return JSON.parse(JSON.stringify(events.map(eventJson)));
}

for (const name of names) {
  test(`${name}: saved and restored after every fix`, () => {
    const vector = JSON.parse(readFileSync(folder + name, "utf8"));
    for (let cut = 0; cut <= vector.fixes.length; cut += 1) {
      assert.deepEqual(resumedAt(vector, cut), vector.expected, `cut after ${cut} fixes`);
    }
  });
}

const trail = trailFromVector({
  stops: [
    { key: "a", zone: { type: "circle", center: [4.4, 50.41], radius_m: 20 }, duration_s: 30 },
    { key: "b", zone: { type: "circle", center: [4.4, 50.41], radius_m: 25 }, duration_s: 10 },
  ],
});
const inside = { lat: 50.41, lon: 4.4, accuracy_m: 5 };

test("the state names what plays, what waits and what was heard", () => {
  const engine = new TriggerEngine(trail);
  engine.feed({ t: 0, ...inside });
  engine.tick(12);
  const state = engine.state();
  assert.equal(state.clockMs, 12000);
  assert.deepEqual(state.playing, { stop: "a", priority: 0, triggerMs: 0, startMs: 0, endMs: 30000 });
  assert.deepEqual(state.queue, [{ stop: "b", priority: 0, triggerMs: 0 }]);
  assert.equal(state.memory.a.played, true);
  assert.equal(state.memory.b.played, false);
});

test("a restored engine does not play again what was heard", () => {
  const engine = new TriggerEngine(trail);
  engine.feed({ t: 0, ...inside });
  engine.tick(45);
  const again = new TriggerEngine(trail).restore(JSON.parse(JSON.stringify(engine.state())));
  const events = again.feed({ t: 50, ...inside }).map(eventJson);
  assert.deepEqual(events, []);
  assert.equal(again.state().playing, null);
});

test("a state of another trail or version is refused", () => {
  const other = trailFromVector({ stops: [{ key: "z", zone: { type: "circle", center: [4.4, 50.41], radius_m: 20 }, duration_s: 5 }] });
  const state = new TriggerEngine(trail).state();
  assert.throws(() => new TriggerEngine(other).restore(state), EngineError);
  assert.throws(() => new TriggerEngine(trail).restore({ ...state, version: 99 }), EngineError);
  assert.throws(() => new TriggerEngine(trail).restore(null), EngineError);
});
