// The authoring API: JSON, RFC 9457 problems turned into readable errors.
//
// The studio holds no credential of its own: signing in sets an HttpOnly session cookie
// that page scripts cannot read (docs/studio.md, "Where your sign-in lives"). Every call
// carries the CSRF header the server requires for cookie-authenticated changes.

import { language } from "./i18n.js";

/** The header (and value) that marks a request as made by the studio's own pages. */
export const CSRF_HEADERS = Object.freeze({ "X-Baladeur-CSRF": "1" });

/** The headers of every request of the studio: the CSRF mark and the studio's language. */
export function requestHeaders() {
  // The server's refusals then read in the language the studio shows, not the browser's.
  return { ...CSRF_HEADERS, "Accept-Language": language() };
}

// Whether a session was known to be open: a 401 then means it ended (expired, signed out
// elsewhere), and the studio goes back to its sign-in page.
let signedIn = false;

/** An API failure with the problem document's title, detail and field errors. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }

  /** One sentence per field error, or the detail. */
  lines() {
    if (!this.errors.length) return [this.message];
    return this.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  }
}

/** Remember whether the studio is signed in (the cookie itself is out of reach). */
export function setSignedIn(value) {
  signedIn = Boolean(value);
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText };
  }
}

/** Calls the API; resolves to {data, etag} or throws ApiError. */
export async function call(method, path, { body, etag, form, raw } = {}) {
  const headers = requestHeaders();
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (etag) headers["If-Match"] = etag;
  let response;
  try {
    // Same-origin only: the session cookie never goes anywhere else.
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, { title: "network", detail: "" });
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && signedIn) {
      signedIn = false;
      window.dispatchEvent(new CustomEvent("studio:signed-out"));
    }
    throw new ApiError(response.status, problem);
  }
  if (raw) return { data: await response.blob(), etag: response.headers.get("ETag") };
  const data = response.status === 204 ? null : await response.json();
  return { data, etag: response.headers.get("ETag") };
}

export const get = (path) => call("GET", path).then((r) => r.data);
export const post = (path, body) => call("POST", path, { body }).then((r) => r.data);
export const patch = (path, body, etag) => call("PATCH", path, { body, etag }).then((r) => r.data);
export const del = (path, etag) => call("DELETE", path, { etag });

/** Every item of a paged list. */
export async function all(path) {
  const items = [];
  const sep = path.includes("?") ? "&" : "?";
  for (let offset = 0; ; ) {
    const page = await get(`${path}${sep}limit=100&offset=${offset}`);
    items.push(...page.items);
    offset += page.items.length;
    if (!page.items.length || page.total === undefined || offset >= page.total) break;
  }
  return items;
}
