// Engine trails (section 1) built from a test vector's trail or from a bundle manifest.

export const DEFAULT_RULES = Object.freeze({
  dwell_s: 0,
  max_accuracy_m: 30,
  exit_margin_m: null,
  exit_dwell_s: 5,
  replay: "once",
  cooldown_s: 60,
  priority: 0,
  interrupt: false,
  on_exit: "finish",
  requires: null,
  time_windows: [],
  approach: null,
});

// Section 14: a sound object's defaults.
const OBJECT_DEFAULTS = Object.freeze({
  ref_distance_m: 1,
  rolloff: "inverse",
  gain_db: 0,
  loop: true,
  duration_s: null,
  requires: null,
  time_windows: [],
  approach: null,
  facing: null,
});

const LAYER_DEFAULTS = Object.freeze({
  min_distance_m: 0,
  max_distance_m: 50,
  min_gain_db: -40,
  max_gain_db: 0,
});

/** The exit margin of a stop: explicit, else max(8, radius / 4) for circles, 8 for polygons. */
export function exitMarginM(zone, rules) {
  if (rules.exit_margin_m !== null && rules.exit_margin_m !== undefined) return rules.exit_margin_m;
  if (zone.type === "circle") return Math.max(8, 0.25 * zone.radius_m);
  return 8;
}

function checkKeys(stops, ambience, objects = []) {
  const seen = new Set();
  for (const item of [...stops, ...ambience, ...objects]) {
    if (typeof item.key !== "string" || !item.key) throw new TypeError("every stop needs a key");
    if (seen.has(item.key)) throw new TypeError(`stop, ambience and object keys must be unique: ${item.key}`);
    seen.add(item.key);
  }
}

/** A sound object (section 14) with its defaults; null members take the default too. */
function objectWithDefaults(o) {
  const out = { ...OBJECT_DEFAULTS };
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

/** An engine trail from the source-like shape used by the trigger vectors. */
export function trailFromVector(data) {
  const stops = (data.stops ?? []).map((s) => ({
    key: s.key,
    zone: s.zone,
    rules: { ...DEFAULT_RULES, ...(s.rules ?? {}) },
    duration_s: s.duration_s ?? null,
    position: s.position ?? null,
  }));
  const ambience = (data.ambience ?? []).map((a) => ({ ...LAYER_DEFAULTS, ...a }));
  const objects = (data.objects ?? []).map(objectWithDefaults);
  checkKeys(stops, ambience, objects);
  return {
    mode: data.mode ?? "free",
    ducking_db: data.ducking_db ?? -12,
    timezone: data.timezone ?? "UTC",
    stops,
    ambience,
    objects,
  };
}

/** A source-style zone from a manifest's GeoJSON Feature. */
export function zoneFromFeature(feature) {
  const { geometry, properties } = feature;
  if (properties.shape === "circle") {
    return { type: "circle", center: geometry.coordinates, radius_m: properties.radius_m };
  }
  return { type: "polygon", coordinates: geometry.coordinates };
}

/** The cue a stop plays in a language: that one, else the trail's first language it has. */
export function pickCue(stop, language, languages) {
  const cues = stop.cues ?? {};
  if (cues[language]) return cues[language];
  for (const lang of languages) if (cues[lang]) return cues[lang];
  const keys = Object.keys(cues).sort();
  return keys.length ? cues[keys[0]] : null;
}

/** An engine trail from a verified bundle manifest, with the durations of one language. */
export function trailFromManifest(manifest, language) {
  const languages = manifest.trail.languages;
  const stops = manifest.stops.map((s) => {
    const cue = pickCue(s, language, languages);
    return {
      key: s.key,
      zone: zoneFromFeature(s.zone),
      rules: { ...DEFAULT_RULES, ...s.rules },
      duration_s: cue ? cue.duration_s : null,
      position: s.position ?? null,
    };
  });
  // Format 1.2 (bundle-format.md 2.10); an older manifest has none.
  const objects = (manifest.objects ?? []).map((o) => objectWithDefaults({ ...o, audio: undefined, title: undefined }));
  const ambience = manifest.ambience.map((a) => ({
    key: a.key,
    zone: zoneFromFeature(a.zone),
    min_distance_m: a.min_distance_m,
    max_distance_m: a.max_distance_m,
    min_gain_db: a.min_gain_db,
    max_gain_db: a.max_gain_db,
  }));
  checkKeys(stops, ambience, objects);
  return {
    mode: manifest.trail.mode,
    ducking_db: manifest.trail.settings.ducking_db,
    timezone: manifest.trail.timezone,
    stops,
    ambience,
    objects,
  };
}
