"""Sign a manifest and write its bundle in one step (what publishing and ``build`` both do)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from trails.bundle.canonical import canonical_json
from trails.bundle.model import BundleMedia
from trails.bundle.signing import SigningKey, signature_document
from trails.bundle.writer import ChunkSource, WrittenBundle, write_bundle


@dataclass(frozen=True)
class BuiltBundle:
    """A written bundle: its manifest (parsed and exact bytes), signature and zip facts."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: dict[str, str]
    written: WrittenBundle


def sign_manifest(manifest: dict[str, Any], key: SigningKey) -> tuple[bytes, dict[str, str]]:
    """The canonical manifest bytes and their detached signature document."""
    data = canonical_json(manifest)
    return data, signature_document(key, data)


def package_bundle(
    out: IO[bytes] | Path,
    manifest: dict[str, Any],
    key: SigningKey,
    chunks: Callable[[BundleMedia], ChunkSource],
    *,
    verify_hashes: bool = True,
) -> BuiltBundle:
    """Sign ``manifest`` and write the bundle; ``chunks(media)`` streams each media file.

    ``verify_hashes`` is that of :func:`~trails.bundle.writer.write_bundle`.
    """
    data, signature = sign_manifest(manifest, key)
    entries = []
    for row in manifest["media"]:
        media = BundleMedia.from_dict(row)
        entries.append((media, chunks(media)))
    written = write_bundle(out, data, signature, entries, verify_hashes=verify_hashes)
    return BuiltBundle(manifest, data, signature, written)
