"""Offline trail bundles: manifest, canonical JSON, signing, writer, verifier, updates."""

FORMAT_VERSION = 1
