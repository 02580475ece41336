"""What a client holding one release must fetch to reach another: a diff of media by sha256."""

from __future__ import annotations

from typing import Any

from trails.bundle.canonical import canonical_json


def _rows(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # Keyed by content: the same sha256 under another extension is still the same bytes.
    return {row["sha256"]: row for row in manifest.get("media", [])}


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {"path": row["path"], "sha256": row["sha256"], "bytes": row["bytes"]}


def diff(old_manifest: dict[str, Any], new_manifest: dict[str, Any]) -> dict[str, Any]:
    """Media to add and to drop going from ``old_manifest`` to ``new_manifest``, with sizes.

    ``manifest_bytes`` is the size of the new canonical manifest, which a client fetches in
    any case; ``download_bytes`` is what the update costs (added media plus the manifest).
    """
    old, new = _rows(old_manifest), _rows(new_manifest)
    add = sorted((_item(new[h]) for h in new.keys() - old.keys()), key=lambda r: r["path"])
    drop = sorted((_item(old[h]) for h in old.keys() - new.keys()), key=lambda r: r["path"])
    manifest_bytes = len(canonical_json(new_manifest))
    add_bytes = sum(r["bytes"] for r in add)
    return {
        "from_release": old_manifest.get("trail", {}).get("release"),
        "to_release": new_manifest.get("trail", {}).get("release"),
        "add": add,
        "drop": drop,
        "add_bytes": add_bytes,
        "drop_bytes": sum(r["bytes"] for r in drop),
        "manifest_bytes": manifest_bytes,
        "download_bytes": add_bytes + manifest_bytes,
    }
