// The few API calls of the residents' pages. No cookie, no account: the invitation code or
// the withdrawal code authorises each call (the withdrawal code only ever in a JSON body).
import * as tus from "tus-js-client";

/** An API failure: the HTTP status (0 when the network failed) and the problem document. */
export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function request(method, path, { json, form, blob = false } = {}) {
  const options = { method, headers: {}, credentials: "omit" };
  if (json !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(json);
  } else if (form) {
    options.body = form;
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    throw new ApiError(0, {});
  }
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    throw new ApiError(response.status, problem);
  }
  return blob ? response.blob() : response.json();
}

const invitation = (code) => `/v1/invitations/${encodeURIComponent(code)}`;

/** What the invitation link is for, and its limits (404 unknown, 410 with a reason). */
export function openInvitation(code) {
  return request("GET", invitation(code));
}

/**
 * Upload a recording resumably (tus); resolves to the upload id. ``onProgress(fraction)``,
 * ``onRetry()`` when the connection dropped and the upload waits to resume.
 */
export function uploadRecording(code, file, { onProgress, onRetry } = {}) {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(file, {
      endpoint: `${location.origin}${invitation(code)}/uploads`,
      metadata: { filename: file.name || "recording", filetype: file.type || "application/octet-stream" },
      // Small enough pieces that a phone on a weak network loses little when it drops.
      chunkSize: 1024 * 1024,
      // A dropped connection is retried for about a minute, resuming at the server's offset.
      retryDelays: [0, 1000, 2000, 4000, 8000, 15000, 30000],
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => onProgress?.(total ? sent / total : 0),
      onShouldRetry: (err, attempt, options) => {
        const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        // Only the network or the server's temporary trouble; a refusal (4xx) is final.
        const retry = status === 0 || status === 409 || status === 423 || status >= 500;
        if (retry && attempt < options.retryDelays.length) onRetry?.();
        return retry;
      },
      onError: (err) => {
        const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        let problem = {};
        try {
          problem = JSON.parse(err.originalResponse?.getBody() || "{}");
        } catch {
          problem = {};
        }
        reject(new ApiError(status, problem));
      },
      onSuccess: () => resolve(upload.url.split("/").pop()),
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}

/** Submit the story and its consent; resolves to the receipt (with the withdrawal link). */
export function submit(code, data, photo) {
  const form = new FormData();
  form.append("data", JSON.stringify(data));
  if (photo) form.append("photo", photo, photo.name || "photo");
  return request("POST", `${invitation(code)}/contributions`, { form });
}

/** What became of a contribution, by its withdrawal code. */
export function withdrawalStatus(code) {
  return request("POST", "/v1/withdrawals/status", { json: { code } });
}

/** Withdraw the consent of a contribution (a second call changes nothing). */
export function withdraw(code) {
  return request("POST", "/v1/withdrawals/withdraw", { json: { code } });
}

/** The withdrawal receipt as a PDF blob, in ``lang``. */
export function receiptPdf(code, lang) {
  return request("POST", "/v1/withdrawals/receipt", { json: { code, lang }, blob: true });
}
