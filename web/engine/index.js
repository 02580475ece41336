// The trigger engine's public surface (no DOM: node runs it for the vector tests).
export { EngineError, TriggerEngine, distanceGainDb, eventJson, runTrack } from "./engine.js";
export { pickCue, trailFromManifest, trailFromVector, zoneFromFeature } from "./trail.js";
export { bearingDeg, haversineM, makeShape } from "./zones.js";
