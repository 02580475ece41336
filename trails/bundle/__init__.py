"""Offline trail bundles: manifest, canonical JSON, signing, writer, verifier, updates."""

from trails.versions import BUNDLE_FORMAT_MINOR, BUNDLE_FORMAT_VERSION

FORMAT_VERSION = BUNDLE_FORMAT_VERSION
# The newest minor version this code knows (docs/bundle-format.md, "Versioning"): a manifest of
# a newer minor is read with its unknown members ignored; a newer major one is refused.
FORMAT_MINOR = BUNDLE_FORMAT_MINOR
