// GPS quality in plain words, from the accuracy the phone reports and the age of the last fix.
// "weak" means the trigger rules ignore the fix (semantics section 4): no zone would use it.

/** Seconds without a fix after which the position is "lost". */
export const LOST_AFTER_S = 30;
/** Seconds of weak or lost positioning after which the player suggests listening by hand. */
export const SUGGEST_MANUAL_AFTER_S = 120;
// Ambient layers and sound objects ignore fixes above this accuracy (their rules are fixed).
const LAYER_MAX_ACCURACY_M = 30;

/** The largest accuracy radius (m) any zone of a trail still uses: above it, a fix is ignored everywhere. */
export function usableAccuracyM(trail) {
  const limits = trail.stops.map((s) => s.rules.max_accuracy_m);
  // Sound objects have a layer's fixed rules too (semantics 14.1).
  if (trail.ambience.length || trail.objects?.length) limits.push(LAYER_MAX_ACCURACY_M);
  return limits.length ? Math.max(...limits) : LAYER_MAX_ACCURACY_M;
}

/** "good", "weak" or "lost" for the last fix ({t, accuracy_m} or null) at time now (s). */
export function gpsQuality(fix, now, usableM) {
  if (!fix || now - fix.t > LOST_AFTER_S) return "lost";
  return fix.accuracy_m > usableM ? "weak" : "good";
}

/** Follows the quality over time and says when a long spell without a usable fix began. */
export class GpsWatch {
  constructor(usableM, since) {
    this.usableM = usableM;
    this.badSince = since; // a walk starts without a fix
    this.quality = "lost";
  }

  /** Update at time now (s) with the last fix; returns {quality, suggestManual}. */
  update(fix, now) {
    this.quality = gpsQuality(fix, now, this.usableM);
    if (this.quality === "good") this.badSince = null;
    else if (this.badSince === null) this.badSince = now;
    const suggestManual = this.badSince !== null && now - this.badSince >= SUGGEST_MANUAL_AFTER_S;
    return { quality: this.quality, suggestManual };
  }
}
