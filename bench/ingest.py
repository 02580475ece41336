"""Ingest benchmark: one hour of 48 kHz stereo WAV to voice renditions in both profiles.

Run from the repository root: ``.venv/bin/python bench/ingest.py`` (about 5 minutes;
``--quick`` for one minute of audio). Peak memory is measured per process with ``wait4``;
see bench/README.md, section Ingest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Baseline, Result, standalone  # noqa: E402
from media.loudness import downmix_filter  # noqa: E402
from media.renditions import _LIMITER, LIMITER_MARGIN_DB  # noqa: E402

MAX_RSS_MB = 200
MAX_RATIO = 1.15

OURS = """
import json, resource, sys, time
from pathlib import Path
from media.renditions import RenditionSpec, encode_many
src, out = Path(sys.argv[1]), Path(sys.argv[2])
jobs = [(src, out / f"ours.{p}", RenditionSpec(profile=p, role="voice", target_lufs=-16.0))
        for p in ("opus", "aac")]
done = encode_many(jobs, max_workers=2)
print(json.dumps({"gain_db": done[0].gain_db, "bytes": [d.bytes for d in done],
                  "self_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# The straightforward pipeline: the whole file in memory, normalised, exported per profile.
PYDUB = """
import sys
from pydub import AudioSegment
from pydub.effects import normalize
clip = normalize(AudioSegment.from_wav(sys.argv[1]).set_channels(1))
clip.export(sys.argv[2] + ".opus", format="opus", codec="libopus", bitrate="32k")
clip.export(sys.argv[2] + ".m4a", format="ipod", codec="aac", bitrate="64k")
"""


def timed(argv: list[str]) -> tuple[float, float, str]:
    """Run and measure: wall time and peak RSS (MB) over the process tree, via wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"failed: {argv[:3]}\n{err.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def ffmpeg_bare(src: Path, out: Path) -> tuple[float, float]:
    """The least work: the ingest measurement (R128 with true peak, of the source as
    uploaded), then both profiles' encodes with the resulting gain, two at a time as ours.

    Returns wall time and the summed peak RSS (MB) of the two concurrent encoders.
    """
    start = time.perf_counter()
    proc = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", str(src),
         "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    lufs = float(proc.stderr.rsplit("I:", 1)[1].split("LUFS")[0])
    limit = 10 ** ((-1.0 - LIMITER_MARGIN_DB) / 20)
    chain = f"{downmix_filter('mono')},volume={-16 - lufs:.2f}dB," + _LIMITER.format(limit=limit)
    encoders = {
        "opus": ["-c:a", "libopus", "-b:a", "32k", str(out / "bare.opus")],
        "aac": ["-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(out / "bare.m4a")],
    }
    procs = []
    for args in encoders.values():
        argv = ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y",
                "-i", str(src), "-af", chain, *args]  # fmt: skip
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    rss = 0.0
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        if status != 0:
            raise RuntimeError("bare ffmpeg encode failed")
        rss += usage.ru_maxrss / 1024
    return time.perf_counter() - start, rss


def make_wav(path: Path, minutes: float) -> None:
    """A 48 kHz stereo 16-bit WAV: a tone on the left, pink noise on the right."""
    seconds = minutes * 60
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"sine=f=220:r=48000:d={seconds}",
         "-f", "lavfi", "-i", f"anoisesrc=c=pink:r=48000:a=0.1:d={seconds}",
         "-filter_complex", "[0][1]amerge=inputs=2", "-c:a", "pcm_s16le", str(path)],
        check=True,
    )  # fmt: skip


def measure_all(minutes: float, pydub: bool = True) -> dict[str, float]:
    """Bare ffmpeg, our pipeline and (optionally) pydub on the same generated WAV."""
    with tempfile.TemporaryDirectory(prefix="baladeur-bench-", dir="/tmp") as tmp:
        work = Path(tmp)
        src = work / "input.wav"
        make_wav(src, minutes)
        subprocess.run(["cat", str(src)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        bare_wall, bare_rss = ffmpeg_bare(src, work)
        ours_wall, child_rss, out = timed([sys.executable, "-c", OURS, str(src), str(work)])
        ours = json.loads(out)
        figures = {
            "input_mb": src.stat().st_size / 1e6,
            "bare_wall": bare_wall,
            "bare_rss": bare_rss,
            "ours_wall": ours_wall,
            "ours_self_rss": ours["self_rss_mb"],
            "ours_child_rss": child_rss,
            # wait4 reports the largest child only; two encoders run at once, so count it twice.
            "ours_rss": ours["self_rss_mb"] + 2 * child_rss,
        }
        if pydub:
            wall, rss, _ = timed([sys.executable, "-c", PYDUB, str(src), str(work / "pydub")])
            figures |= {"pydub_wall": wall, "pydub_rss": rss}
    return figures


def run(quick: bool = False) -> list[Result]:
    """Wall time and peak memory of both voice renditions beside bare ffmpeg and pydub."""
    minutes = 1.0 if quick else 60.0
    f = measure_all(minutes)
    what = f"{minutes:g} min 48 kHz stereo WAV to voice, both profiles"
    extra = {k: round(v, 3) for k, v in f.items()}
    bare = Baseline("bare ffmpeg, same encodes, 2 at a time", f["bare_wall"])
    return [
        Result("ingest", f"{what}: wall", "s", f["ours_wall"], bare,
               goal=f"<= {MAX_RATIO}x bare ffmpeg",
               met=f["ours_wall"] / f["bare_wall"] <= MAX_RATIO, extra=extra),
        Result("ingest", f"{what}: wall", "s", f["ours_wall"],
               Baseline("pydub load, normalise, export", f["pydub_wall"])),
        Result("ingest", f"{what}: peak memory", "MB", f["ours_rss"],
               Baseline("bare ffmpeg, same encodes, 2 at a time", f["bare_rss"]),
               goal=f"<= {MAX_RSS_MB} MB", met=f["ours_rss"] <= MAX_RSS_MB,
               notes="Python + 2 x largest ffmpeg child"),
        Result("ingest", f"{what}: peak memory", "MB", f["ours_rss"],
               Baseline("pydub load, normalise, export", f["pydub_rss"])),
    ]  # fmt: skip


def main() -> int:
    return standalone(run, __doc__, quick="one minute of audio")


if __name__ == "__main__":
    sys.exit(main())
