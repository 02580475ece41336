"""Offline trail bundles: manifest, canonical JSON, signing, writer, verifier, updates."""

FORMAT_VERSION = 1
# The newest minor version this code knows (docs/bundle-format.md, "Versioning"): a manifest of
# a newer minor is read with its unknown members ignored; a newer major one is refused.
FORMAT_MINOR = 0
