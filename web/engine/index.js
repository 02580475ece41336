// The public surface of @baladeur/engine: the trigger engine and the bundle verifier. No DOM
// and no Node API: the same modules run in browsers, React Native and Node.
export { EngineError, TriggerEngine, distanceGainDb, eventJson, runTrack } from "./engine.js";
export { pickCue, trailFromManifest, trailFromVector, zoneFromFeature } from "./trail.js";
export { bearingDeg, haversineM, makeShape } from "./zones.js";
export { locate, newListener, objectGainDb, updateListener } from "./spatial.js";
export { roundDb } from "./units.js";
export { VerifyError } from "./errors.js";
export { trustedKeys, verifyBundle, verifyManifest, verifyMedia } from "./verify.js";
export { MAX_KEYS, updatePins } from "./keys.js";
export { FORMAT_MINOR, FORMAT_VERSION, formatVersion, mediaPaths, readManifest } from "./manifest.js";
export { canonical } from "./canonical.js";
export { sha256Hex } from "./crypto.js";
export { base64Bytes, bundleBytes, hex } from "./bytes.js";
export { ZipError, crc32, entryBytes, readEntries } from "./zip.js";

/** @typedef {import("./engine.js").Fix} Fix */
/** @typedef {import("./engine.js").EngineEvent} EngineEvent */
/** @typedef {import("./engine.js").EngineState} EngineState */
/** @typedef {import("./verify.js").VerifiedBundle} VerifiedBundle */
/** @typedef {import("./keys.js").PinUpdate} PinUpdate */
