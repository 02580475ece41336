// A minimal WebVTT reader: cue times and text, enough to follow a narration's transcript.

function seconds(stamp) {
  const parts = stamp.trim().split(":").map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** Cues [{start, end, text}] of a WebVTT document. */
export function parseVtt(text) {
  const cues = [];
  for (const block of text.replace(/\r/g, "").split(/\n\n+/)) {
    const lines = block.split("\n").filter(Boolean);
    const at = lines.findIndex((l) => l.includes("-->"));
    if (at < 0) continue;
    const [start, end] = lines[at].split("-->");
    cues.push({ start: seconds(start), end: seconds(end.trim().split(/\s+/)[0]), text: lines.slice(at + 1).join("\n") });
  }
  return cues;
}
