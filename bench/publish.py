"""Publish and update benchmark: manifest + signature + zip for a 60-minute, 25-stop trail.

Run from the repository root: ``.venv/bin/python bench/publish.py``. It exits non-zero when a
target is missed. See bench/README.md ("Publish and update") for what is measured.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Baseline, Result, standalone
from media.renditions import ENCODINGS, encode_file
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
# Each profile's file extension (without its dot) and media type, as the server encodes it.
PROFILES = {name: (e.extension.lstrip("."), e.mime_type) for name, e in ENCODINGS.items()}


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


Table = dict[str, dict[str, tuple[BundleMedia, Path]]]


def publish_once(
    trail: Any, table: Table, key: SigningKey, out: Path, *, verify: bool = True,
    parallel: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """What a publish does once renditions exist: both profiles' manifests, signed, zipped."""
    out.mkdir(parents=True, exist_ok=True)
    if parallel:
        with ThreadPoolExecutor(max_workers=len(PROFILES)) as pool:
            parts = pool.map(
                lambda p: publish_profile(trail, table, key, out, p, verify), list(PROFILES)
            )
            return dict(zip(PROFILES, parts, strict=True))
    return {p: publish_profile(trail, table, key, out, p, verify) for p in PROFILES}


def publish_profile(
    trail: Any, table: Table, key: SigningKey, out: Path, profile: str, verify: bool
) -> Any:
    """One profile: manifest, signature, zip."""
    files = {m.path: p for m, p in table[profile].values()}

    def media(rel: str) -> BundleMedia:
        return table[profile][rel][0]

    def chunks(m: BundleMedia) -> Callable[[], Iterator[bytes]]:
        return file_chunks(files[m.path])

    manifest = build_manifest(
        trail,
        trail_id="bench",
        release=1,
        profile=profile,
        media=media,
        publisher="bench",
        key_id=key.id,
        built_at=datetime(2025, 6, 1, tzinfo=UTC),
    )
    return package_bundle(out / f"bench.{profile}.zip", manifest, key, chunks, verify_hashes=verify)


def zip0(table: dict[str, dict[str, tuple[BundleMedia, Path]]], out: Path) -> None:
    """The same files written with ``zip -0`` (no compression), both profiles."""
    out.mkdir(parents=True, exist_ok=True)
    for profile in PROFILES:
        paths = sorted({str(p) for _, p in table[profile].values()})
        target = out / f"zip0.{profile}.zip"
        subprocess.run(["zip", "-0", "-q", "-j", str(target), *paths], check=True)


def best_of(n: int, run: Callable[[Path], object], scratch: Path) -> float:
    """Best wall time of ``run(folder)``, each run writing into a fresh folder."""
    times = []
    for i in range(n):
        folder = scratch / f"run-{i}"
        start = time.perf_counter()
        run(folder)
        times.append(time.perf_counter() - start)
        shutil.rmtree(folder)
    return min(times)


def measure(repeat: int) -> dict[str, Any]:
    """Build the trail's renditions, time publishing against ``zip -0``, diff an update."""
    if shutil.which("zip") is None:
        raise RuntimeError("zip is not installed (apt-get install zip)")
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
        zip_s = best_of(repeat, lambda f: zip0(table, f), scratch)
        timings = {
            "verified, profiles one after the other": best_of(
                repeat, lambda f: publish_once(trail, table, key, f), scratch
            ),
            "verified, profiles in parallel": best_of(
                repeat, lambda f: publish_once(trail, table, key, f, parallel=True), scratch
            ),
            "store-verified media, profiles in parallel": best_of(
                repeat,
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
    return {"rates": rates, "zip_s": zip_s, "timings": timings, "sizes": sizes, "update": update}


def run(quick: bool = False) -> list[Result]:
    """Publish time beside ``zip -0``, bundle size per hour, update bytes beside the bundle."""
    m = measure(repeat=2 if quick else 5)
    zip_s, timings, sizes, update = m["zip_s"], m["timings"], m["sizes"], m["update"]
    publish_s = timings[PUBLISH_PATH]
    zip_base = Baseline("zip -0 of the same files", zip_s)
    goal = f"<= {TARGET_S:g} s and <= {TARGET_RATIO_ZIP}x zip -0"
    results = [
        Result(
            "publish", "60 min, 25 stops, both profiles (server path)", "s", publish_s, zip_base,
            goal=goal, met=publish_s <= TARGET_S and publish_s / zip_s <= TARGET_RATIO_ZIP,
            notes=PUBLISH_PATH,
        ),
        Result(
            "publish", "both profiles, media hashes re-verified", "s",
            timings["verified, profiles one after the other"], zip_base,
            notes="what `baladeur build` does; informative",
        ),
    ]  # fmt: skip
    hours = TOTAL_S / 3600
    for profile in PROFILES:
        mb_h = sizes[profile] / 1e6 / hours
        is_opus = profile == "opus"
        results.append(
            Result(
                "publish", f"{profile} bundle per hour of voice", "MB/h", mb_h,
                goal=f"<= {TARGET_OPUS_MB_PER_HOUR:g} MB/h" if is_opus else None,
                met=mb_h <= TARGET_OPUS_MB_PER_HOUR if is_opus else None,
                extra={"encoder_kbit_s": m["rates"][profile] * 8 / 1000},
            )
        )  # fmt: skip
    for profile in PROFILES:
        u = update[profile]
        changed_bytes = sum(a["bytes"] for a in u["add"])
        floor = changed_bytes + u["manifest_bytes"]
        results.append(
            Result(
                "update", f"{profile}: download after one stop's audio changed", "kB",
                u["download_bytes"] / 1e3, Baseline("whole bundle", sizes[profile] / 1e3),
                goal=f"<= changed media + manifest + {TARGET_UPDATE_OVERHEAD:.0%}",
                met=len(u["add"]) == 1
                and u["download_bytes"] <= floor * (1 + TARGET_UPDATE_OVERHEAD),
                extra={"changed_media_bytes": changed_bytes, "manifest_bytes": u["manifest_bytes"]},
            )
        )  # fmt: skip
    return results


def main() -> int:
    return standalone(run, __doc__, quick="fewer timing runs")


if __name__ == "__main__":
    sys.exit(main())
