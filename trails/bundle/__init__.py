"""Offline trail bundles: manifest, canonical JSON, signing, writer, verifier, updates."""

from trails.versions import BUNDLE_FORMAT_VERSION

FORMAT_VERSION = BUNDLE_FORMAT_VERSION
