// The refusal of a bundle, shared by the manifest reader and the verifier.

/** A bundle that must not be played, with the stable code of the reference verifier. */
export class VerifyError extends Error {
  /**
   * @param {string} code a stable code of docs/bundle-format.md section 5 (or `unsupported-input`)
   * @param {string} detail what was found, for people
   */
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.name = "VerifyError";
    /** @type {string} */
    this.code = code;
    /** @type {string} */
    this.detail = detail;
  }
}
