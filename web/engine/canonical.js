// RFC 8785 canonical JSON, to check that a manifest was written by a conforming builder.

function string(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function compareUtf16(a, b) {
  return a < b ? -1 : a > b ? 1 : 0; // JS string order is UTF-16 code-unit order
}

/** The canonical text of a JSON value. */
export function canonical(value) {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("NaN and infinities are not JSON");
    return Object.is(value, -0) ? "0" : String(value);
  }
  if (typeof value === "string") return string(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort(compareUtf16);
  return `{${keys.map((k) => `${string(k)}:${canonical(value[k])}`).join(",")}}`;
}
