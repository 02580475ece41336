// The JavaScript engine's spatial update: time per fix with 50 sound objects audible at once,
// beside the same walk with 50 ambient layers (beds with a distance gain, no direction).
// Run from the repository root: node bench/spatial.mjs [fixes]; prints one JSON object.
import { TriggerEngine, trailFromVector } from "../web/engine/index.js";

const N_OBJECTS = 50;
const fixesCount = Number(process.argv[2] ?? 20000);
const LAT0 = 50.41;
const LON0 = 4.4;
const M_LAT = (6371008.8 * Math.PI) / 180;
const M_LON = M_LAT * Math.cos((LAT0 * Math.PI) / 180);
const at = (x, y) => [LON0 + x / M_LON, LAT0 + y / M_LAT];

// A fixed pseudo-random spread (no dependency): 50 points within 200 m of the walk.
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const points = Array.from({ length: N_OBJECTS }, () => at(rand() * 400 - 200, rand() * 400 - 200));

const objects = points.map((position, i) => ({
  key: `o${i}`, position, radius_m: 1000, ref_distance_m: 5, rolloff: i % 2 ? "linear" : "inverse",
}));
const layers = points.map((center, i) => ({
  key: `l${i}`, zone: { type: "circle", center, radius_m: 10 }, min_distance_m: 0, max_distance_m: 1000,
}));
// A 1 Hz walk turning in a circle of 100 m with a compass, so every object moves every fix.
const fixes = Array.from({ length: fixesCount }, (_, k) => {
  const a = k / 60;
  const [lon, lat] = at(100 * Math.cos(a), 100 * Math.sin(a));
  return { t: k, lat, lon, accuracy_m: 5, heading_deg: ((k * 7) % 360) };
});

function perFixMs(trail) {
  let best = Infinity;
  let events = 0;
  for (let r = 0; r < 3; r += 1) {
    const engine = new TriggerEngine(trailFromVector(trail));
    engine.feed(fixes[0]); // every sound starts here; what follows is the steady update
    events = 0;
    const start = process.hrtime.bigint();
    for (let k = 1; k < fixes.length; k += 1) events += engine.feed(fixes[k]).length;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6 / (fixes.length - 1));
  }
  return { ms: best, eventsPerFix: events / (fixes.length - 1) };
}

const withObjects = perFixMs({ objects });
const withLayers = perFixMs({ ambience: layers });
process.stdout.write(JSON.stringify({ objects: N_OBJECTS, fixes: fixesCount, withObjects, withLayers }) + "\n");
