// Where a sound is heard from, in Web Audio: a PannerNode per placed sound (sound objects and
// narrations with a position; trigger semantics sections 15 and 17). The engine's `spatial`
// events give an azimuth (whole degrees, 0 ahead, 90 on the right, null without orientation)
// and a gain in dB that already holds the distance law and the ducking; this module only turns.

/** Seconds over which a sound turns or changes level: about the time to the next fix (spec 17). */
export const SPATIAL_RAMP_S = 1;
// Points along the arc of a turn: a straight ramp of x and z would cut through the listener's
// head (left to right through the centre), so the position follows the circle in short steps.
const ARC_STEPS = 8;

/**
 * The panning model: HRTF (binaural) when the visitor listens with headphones, equal-power
 * stereo panning otherwise. HRTF through a phone's speaker sounds muffled and gives no
 * front/back cue anyway, so the plain stereo pan is the fallback (DESIGN: "HRTF binaural on
 * headphones, stereo pan as fallback"). Both are the one PannerNode, so switching is a setting.
 */
export function panningModel(headphones) {
  return headphones ? "HRTF" : "equalpower";
}

/** A listener-relative position on the unit circle for an azimuth (null: straight ahead). */
export function positionFor(azimuth) {
  // Web Audio's listener stays at the origin facing -Z (its default), y up: the azimuth turns
  // clockwise from -Z towards +X. No orientation puts the sound ahead, where both ears hear it
  // alike (the semantics' "without direction"): the same for equal-power and HRTF.
  const a = ((azimuth ?? 0) * Math.PI) / 180;
  return { x: Math.sin(a), z: -Math.cos(a) };
}

/** The azimuth (degrees, [-180, 180)) a panner points at now, read back from its position. */
export function azimuthOf(panner) {
  const deg = (Math.atan2(panner.positionX.value, -panner.positionZ.value) * 180) / Math.PI;
  const a = ((((deg + 180) % 360) + 360) % 360) - 180;
  return Math.round(a * 10) / 10;
}

/** A panner that turns a sound without attenuating it: the engine's gain holds the distance. */
export function makePanner(ctx, headphones) {
  return new PannerNode(ctx, {
    panningModel: panningModel(headphones),
    // The sound sits at one metre whatever its real distance, and a linear model with no
    // roll-off keeps the panner's distance gain at exactly 1: the distance law is already in
    // the engine's `db` (15.2) and must not be applied a second time here.
    distanceModel: "linear",
    rolloffFactor: 0,
    refDistance: 1,
    maxDistance: 10000,
    positionX: 0,
    positionY: 0,
    positionZ: -1,
  });
}

/** Turn a panner to an azimuth along the arc, over `seconds` from the context's now. */
export function turnPanner(panner, azimuth, now, seconds = SPATIAL_RAMP_S) {
  const from = azimuthOf(panner);
  const to = azimuth ?? 0;
  const delta = ((((to - from + 180) % 360) + 360) % 360) - 180; // the shorter way round
  for (const param of [panner.positionX, panner.positionZ]) param.cancelScheduledValues(now);
  if (seconds <= 0) {
    const { x, z } = positionFor(to);
    panner.positionX.setValueAtTime(x, now);
    panner.positionZ.setValueAtTime(z, now);
    return;
  }
  for (const param of [panner.positionX, panner.positionZ]) param.setValueAtTime(param.value, now);
  for (let i = 1; i <= ARC_STEPS; i += 1) {
    const { x, z } = positionFor(from + (delta * i) / ARC_STEPS);
    const at = now + (seconds * i) / ARC_STEPS;
    panner.positionX.linearRampToValueAtTime(x, at);
    panner.positionZ.linearRampToValueAtTime(z, at);
  }
}
