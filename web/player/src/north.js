// Phones' compasses point to magnetic north; the engine's heading is from true north
// (semantics 13.2). The difference, the declination, comes from the World Magnetic Model
// WMM2025 (coefficients and evaluation from the geomagnetism package) at the fix's place and
// date: about 2.7° east in Charleroi in 2026, more elsewhere in Europe, far more near the poles.
import Model from "geomagnetism/lib/model.js";
import WMM2025 from "geomagnetism/data/wmm-2025.json";
import { tenthOfDegree } from "./compass.js";

// Only the current model: walks happen now, not in the years older models covered (and the
// package's index would bundle all four).
const WMM = new Model(WMM2025);
let timed = { day: "", model: null }; // the model moved to today's date, made once a day

/** The declination (degrees, east positive) at a place and date, by the World Magnetic Model. */
export function declination(lat, lon, date) {
  const day = date.toISOString().slice(0, 10);
  // After the model's five years its secular variation still beats no correction at all.
  if (timed.day !== day) timed = { day, model: WMM.getTimedModel(date, true) };
  return timed.model.point([lat, lon]).decl;
}

/** A magnetic compass reading as a heading from true north in [0, 360), to 0.1°. */
export function trueHeading(magnetic, lat, lon, date) {
  return tenthOfDegree(magnetic + declination(lat, lon, date));
}
