"""Updates download only changed media; the size report counts per profile, stop and minute."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.bundle.conftest import DEMO, Demo, file_media
from trails.bundle.canonical import canonical_json
from trails.bundle.changes import diff
from trails.bundle.model import BundleMedia
from trails.bundle.signing import SigningKey
from trails.bundle.size import size_report


def test_one_stop_changed(tmp_path: Path, demo: Demo, demo_key: SigningKey) -> None:
    changed = DEMO / "media" / "quartier.fr.opus"

    def media(relative: str) -> BundleMedia:
        item = file_media(demo.loaded.media_file(relative))
        if demo.loaded.media_file(relative) == changed:
            return replace(item, sha256="f" * 64, bytes=item.bytes + 7)
        return item

    # Only the manifest is diffed: the new bundle need not be written for that.
    from tests.bundle.conftest import BUILT_AT
    from trails.bundle.manifest import build_manifest

    new = build_manifest(
        demo.loaded.trail,
        trail_id="trail-1",
        release=2,
        profile="opus",
        media=media,
        publisher="Collectif du moulin",
        key_id=demo_key.id,
        built_at=BUILT_AT,
    )
    old_row = next(
        r for r in demo.built.manifest["media"] if r["sha256"] == file_media(changed).sha256
    )
    result = diff(demo.built.manifest, new)
    assert (result["from_release"], result["to_release"]) == (1, 2)
    assert result["add"] == [
        {"path": f"media/{'f' * 64}.opus", "sha256": "f" * 64, "bytes": old_row["bytes"] + 7}
    ]
    assert result["drop"] == [{k: old_row[k] for k in ("path", "sha256", "bytes")}]
    assert result["manifest_bytes"] == len(canonical_json(new))
    assert result["download_bytes"] == old_row["bytes"] + 7 + result["manifest_bytes"]


def test_nothing_changed(demo: Demo) -> None:
    result = diff(demo.built.manifest, demo.built.manifest)
    assert result["add"] == result["drop"] == [] and result["add_bytes"] == 0


def test_size_report(demo: Demo, tmp_path: Path, demo_key: SigningKey) -> None:
    manifest = demo.built.manifest
    report = size_report({"opus": manifest}, {"opus": demo.built.written.bytes})
    opus = report["profiles"]["opus"]
    assert opus["bytes"] == demo.path.stat().st_size and report["warnings"] == []
    moulin = next(s for s in opus["stops"] if s["key"] == "moulin")
    expected = sum(
        (DEMO / "media" / f"moulin.{x}").stat().st_size
        for x in ("fr.opus", "en.opus", "fr.vtt", "en.vtt")
    )
    assert moulin["bytes"] == expected
    assert opus["bytes_per_audio_minute"] == round(opus["audio_bytes"] / (opus["audio_s"] / 60))
    small = size_report({"opus": manifest}, {"opus": demo.built.written.bytes}, warn_bytes=100_000)
    assert len(small["warnings"]) == 1 and "opus" in small["warnings"][0]
