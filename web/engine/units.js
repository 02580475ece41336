// Integer units of the trigger semantics (section 2): every comparison is on whole ms and mm.

/** Round half to even, as Python's round() does on a float. */
export function roundHalfEven(x) {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Metres to whole millimetres. */
export function toMm(metres) {
  return roundHalfEven(metres * 1000);
}

/** Seconds to whole milliseconds. */
export function toMs(seconds) {
  return roundHalfEven(seconds * 1000);
}

/** A gain rounded to 0.1 dB, halves away from zero; -0 becomes 0 (section 10). */
export function roundDb(value) {
  const rounded = Math.floor(Math.abs(value) * 10 + 0.5) / 10;
  const out = value < 0 ? -rounded : rounded;
  return out === 0 ? 0 : out;
}
