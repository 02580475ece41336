"""Publish and update benchmark: manifest + signature + zip for a 60-minute, 25-stop trail.

Run from the repository root: ``.venv/bin/python bench/publish.py``. It exits non-zero when a
target is missed. See bench/README.md ("Publish and update") for what is measured.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media.renditions import encode_file
from trails.bundle.changes import diff
from trails.bundle.manifest import build_manifest
from trails.bundle.model import BundleMedia
from trails.bundle.package import package_bundle
from trails.bundle.signing import SigningKey, generate_key
from trails.bundle.writer import file_chunks
from trails.source import parse_source

ROOT = Path(__file__).resolve().parents[1]
DEMO_MEDIA = ROOT / "examples" / "moulin-de-marchienne" / "media"
STOPS = 25
TOTAL_S = 3600.0
PER_STOP_S = TOTAL_S / STOPS  # 144 s of narration per stop
TARGET_S = 2.0
TARGET_RATIO_ZIP = 1.5
TARGET_OPUS_MB_PER_HOUR = 16.0
TARGET_UPDATE_OVERHEAD = 0.05
# What the server does: renditions come from content-addressed storage (hashed on the way in),
# both profiles are written at once; the zip's own sha256 is always computed.
PUBLISH_PATH = "store-verified media, profiles in parallel"
PROFILES = {"opus": ("opus", "audio/ogg"), "aac": ("m4a", "audio/mp4")}


def voice_sample(work: Path) -> Path:
    """144 s of (synthetic) speech: the demo trail's narrations, looped, as WAV."""
    listing = work / "voices.txt"
    voices = sorted(DEMO_MEDIA.glob("*.fr.opus"))
    listing.write_text("".join(f"file '{p}'\n" for p in voices))
    out = work / "voice.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-f", "concat", "-safe", "0",
         "-i", str(listing), "-t", str(PER_STOP_S), "-ac", "1", "-ar", "48000", str(out)],
        check=True,
    )  # fmt: skip
    return out


def bytes_per_second(work: Path) -> dict[str, float]:
    """Encoded bytes per second of voice, per profile, from the real rendition pipeline."""
    source = voice_sample(work)
    rates = {}
    for profile, (ext, _) in PROFILES.items():
        done = encode_file(source, work / f"voice.{ext}", role="voice", profile=profile)
        rates[profile] = done.bytes / done.duration_s
    return rates


def make_renditions(work: Path, rates: dict[str, float], seed: int = 1) -> dict[str, list[Path]]:
    """25 rendition files per profile of the size the encoder gives 144 s of voice."""
    out: dict[str, list[Path]] = {}
    for profile, (ext, _) in PROFILES.items():
        folder = work / profile
        folder.mkdir(exist_ok=True)
        size = int(rates[profile] * PER_STOP_S)
        files = []
        for i in range(STOPS):
            path = folder / f"stop-{i:02d}.{ext}"
            # Random bytes: incompressible like real audio, and distinct per stop.
            path.write_bytes(os.urandom(size) if seed else bytes(size))
            files.append(path)
        out[profile] = files
    return out


def trail_source() -> object:
    """A 25-stop trail; stop i's audio is ``stop-ii.wav`` with a transcript."""
    stops = []
    for i in range(STOPS):
        stops.append(
            {
                "key": f"stop-{i:02d}",
                "title": {"fr": f"Arrêt {i + 1}"},
                "zone": {"type": "circle", "center": [4.40 + i * 0.001, 50.41], "radius_m": 25},
                "story": {
                    "versions": {
                        "fr": {"audio": f"stop-{i:02d}.wav", "transcript": f"stop-{i:02d}.vtt"}
                    }
                },
            }
        )
    return parse_source(
        {"slug": "bench", "languages": ["fr"], "title": {"fr": "Banc d'essai"}, "stops": stops}
    )


def describe(path: Path, kind: str, mime: str, ext: str, duration: float | None) -> BundleMedia:
    data = path.read_bytes()
    return BundleMedia(
        hashlib.sha256(data).hexdigest(), len(data), mime, ext, kind, duration, -16.0  # type: ignore[arg-type]
    )  # fmt: skip


def publish_once(trail, table, key, out: Path, *, verify: bool = True, parallel: bool = False):  # type: ignore[no-untyped-def]
    """What a publish does once renditions exist: both profiles' manifests, signed, zipped."""
    out.mkdir(parents=True, exist_ok=True)
    if parallel:
        with ThreadPoolExecutor(max_workers=len(PROFILES)) as pool:
            parts = pool.map(
                lambda p: publish_profile(trail, table, key, out, p, verify), list(PROFILES)
            )
            return dict(zip(PROFILES, parts, strict=True))
    return {p: publish_profile(trail, table, key, out, p, verify) for p in PROFILES}


def publish_profile(trail, table, key, out: Path, profile: str, verify: bool):  # type: ignore[no-untyped-def]
    """One profile: manifest, signature, zip."""
    if True:
        files = {m.path: p for m, p in table[profile].values()}
        manifest = build_manifest(
            trail,
            trail_id="bench",
            release=1,
            profile=profile,
            media=lambda rel, profile=profile: table[profile][rel][0],
            publisher="bench",
            key_id=key.id,
            built_at=datetime(2025, 6, 1, tzinfo=UTC),
        )
        return package_bundle(
            out / f"bench.{profile}.zip", manifest, key,
            lambda m, files=files: file_chunks(files[m.path]), verify_hashes=verify,
        )  # fmt: skip


def zip0(table: dict[str, dict[str, tuple[BundleMedia, Path]]], out: Path) -> None:
    """The same files written with ``zip -0`` (no compression), both profiles."""
    out.mkdir(parents=True, exist_ok=True)
    for profile in PROFILES:
        paths = sorted({str(p) for _, p in table[profile].values()})
        target = out / f"zip0.{profile}.zip"
        subprocess.run(["zip", "-0", "-q", "-j", str(target), *paths], check=True)


def best_of(n: int, run, scratch: Path) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``run(folder)``, each run writing into a fresh folder."""
    times = []
    for i in range(n):
        folder = scratch / f"run-{i}"
        start = time.perf_counter()
        run(folder)
        times.append(time.perf_counter() - start)
        shutil.rmtree(folder)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="timing runs (best is kept)")
    args = parser.parse_args()
    if shutil.which("zip") is None:
        print("zip is not installed (apt-get install zip)", file=sys.stderr)
        return 2
    key = SigningKey(generate_key())
    trail = trail_source()
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        work = Path(tmp)
        rates = bytes_per_second(work)
        renditions = make_renditions(work, rates)
        vtt_dir = work / "vtt"
        vtt_dir.mkdir()
        table: dict[str, dict[str, tuple[BundleMedia, Path]]] = {p: {} for p in PROFILES}
        for i in range(STOPS):
            vtt = vtt_dir / f"stop-{i:02d}.vtt"
            vtt.write_text("WEBVTT\n\n" + "".join(
                f"00:{m:02d}:00.000 --> 00:{m:02d}:59.000\nLigne {i}.{m}\n\n" for m in range(3)
            ))  # fmt: skip
            vtt_media = describe(vtt, "transcript", "text/vtt", "vtt", None)
            for profile, (ext, mime) in PROFILES.items():
                audio = renditions[profile][i]
                table[profile][f"stop-{i:02d}.wav"] = (
                    describe(audio, "audio", mime, ext, PER_STOP_S),
                    audio,
                )
                table[profile][f"stop-{i:02d}.vtt"] = (vtt_media, vtt)
        out = work / "out"
        scratch = work / "scratch"
        publish_once(trail, table, key, out)  # warm-up (imports, page cache)
        zip0(table, out)
        zip_s = best_of(args.repeat, lambda f: zip0(table, f), scratch)
        timings = {
            "verified, profiles one after the other": best_of(
                args.repeat, lambda f: publish_once(trail, table, key, f), scratch
            ),
            "verified, profiles in parallel": best_of(
                args.repeat, lambda f: publish_once(trail, table, key, f, parallel=True), scratch
            ),
            "store-verified media, profiles in parallel": best_of(
                args.repeat,
                lambda f: publish_once(trail, table, key, f, verify=False, parallel=True),
                scratch,
            ),
        }
        built = publish_once(trail, table, key, out)
        sizes = {p: built[p].written.bytes for p in PROFILES}

        # Update: stop 7's audio changes (same length, new content), in both profiles.
        changed = "stop-07.wav"
        for profile, (ext, mime) in PROFILES.items():
            media, path = table[profile][changed]
            new_path = path.with_name(f"stop-07-v2.{ext}")
            new_path.write_bytes(os.urandom(media.bytes))
            table[profile][changed] = (describe(new_path, "audio", mime, ext, PER_STOP_S), new_path)
        updated = publish_once(trail, table, key, work / "out2")
        update = {p: diff(built[p].manifest, updated[p].manifest) for p in PROFILES}

    opus_mb_h = rates["opus"] * 3600 / 1e6
    publish_s = timings[PUBLISH_PATH]
    ratio = publish_s / zip_s
    print(f"voice bitrate (real encoder): opus {rates['opus'] * 8 / 1000:.1f} kbit/s "
          f"= {opus_mb_h:.2f} MB/h; aac {rates['aac'] * 8 / 1000:.1f} kbit/s "
          f"= {rates['aac'] * 3600 / 1e6:.2f} MB/h")  # fmt: skip
    print(f"bundles: opus {sizes['opus'] / 1e6:.2f} MB, aac {sizes['aac'] / 1e6:.2f} MB")
    print(f"zip -0 of the same files, both profiles (best of {args.repeat}): {zip_s:.3f} s")
    for name, seconds in timings.items():
        print(f"publish both profiles, {name}: {seconds:.3f} s ({seconds / zip_s:.2f}x zip -0)")
    failures = []
    for profile in PROFILES:
        u = update[profile]
        changed_bytes = sum(a["bytes"] for a in u["add"])
        floor = changed_bytes + u["manifest_bytes"]
        overhead = u["download_bytes"] / floor - 1
        print(
            f"update {profile}: download {u['download_bytes'] / 1e3:.1f} kB "
            f"(changed media {changed_bytes / 1e3:.1f} kB"
            f" + manifest {u['manifest_bytes'] / 1e3:.1f} kB; overhead {overhead:.1%});"
            f" whole bundle {sizes[profile] / 1e6:.2f} MB"
        )  # fmt: skip
        if len(u["add"]) != 1 or overhead > TARGET_UPDATE_OVERHEAD:
            failures.append(f"update {profile} downloads more than the changed stop")
    if publish_s > TARGET_S:
        failures.append(f"publish took {publish_s:.2f} s > {TARGET_S} s")
    if ratio > TARGET_RATIO_ZIP:
        failures.append(f"publish is {ratio:.2f}x zip -0 > {TARGET_RATIO_ZIP}x")
    bundle_mb_h = sizes["opus"] / 1e6
    if bundle_mb_h > TARGET_OPUS_MB_PER_HOUR:
        failures.append(f"opus bundle {bundle_mb_h:.1f} MB per hour > {TARGET_OPUS_MB_PER_HOUR}")
    for failure in failures:
        print(f"MISSED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
