"""Ingest benchmark: one hour of 48 kHz stereo WAV to a voice/opus rendition.

Run from the repository root: ``.venv/bin/python bench/ingest.py`` (about 5 minutes;
``--minutes 5`` for a quick run, ``--pydub`` to also load the file whole with pydub).
Peak memory is measured per process with ``wait4``; see bench/README.md, section Ingest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media.loudness import downmix_filter  # noqa: E402
from media.renditions import _LIMITER, LIMITER_MARGIN_DB  # noqa: E402

MAX_RSS_MB = 200
MAX_RATIO = 1.15

OURS = """
import json, resource, sys, time
from pathlib import Path
t = time.perf_counter()
from media.renditions import encode_file
done = encode_file(Path(sys.argv[1]), Path(sys.argv[2]), role="voice", profile="opus")
print(json.dumps({"gain_db": done.gain_db, "bytes": done.bytes,
                  "self_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PYDUB = """
import resource, sys
from pydub import AudioSegment
clip = AudioSegment.from_wav(sys.argv[1])
print(len(clip) / 1000)
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
        sys.exit(f"failed: {argv[:3]}\n{err.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def ffmpeg_bare(src: Path, dst: Path) -> tuple[float, float]:
    """The least work: the ingest measurement (R128 with true peak, of the source as
    uploaded) and one encode with the resulting gain."""
    start = time.perf_counter()
    proc = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-nostats",
            "-i",
            str(src),
            "-af",
            "ebur128=peak=true:framelog=verbose",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    lufs = float(proc.stderr.rsplit("I:", 1)[1].split("LUFS")[0])
    limit = 10 ** ((-1.0 - LIMITER_MARGIN_DB) / 20)
    _, rss2, _ = timed(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-nostats",
            "-v",
            "error",
            "-y",
            "-i",
            str(src),
            "-af",
            f"{downmix_filter('mono')},volume={-16 - lufs:.2f}dB," + _LIMITER.format(limit=limit),
            "-c:a",
            "libopus",
            "-b:a",
            "32k",
            str(dst),
        ]
    )
    return time.perf_counter() - start, rss2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--pydub", action="store_true", help="also load the WAV with pydub")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="baladeur-bench-", dir="/tmp") as tmp:
        src = Path(tmp) / "hour.wav"
        seconds = args.minutes * 60
        subprocess.run(
            [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostdin",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"sine=f=220:r=48000:d={seconds}",
                "-f",
                "lavfi",
                "-i",
                f"anoisesrc=c=pink:r=48000:a=0.1:d={seconds}",
                "-filter_complex",
                "[0][1]amerge=inputs=2",
                "-c:a",
                "pcm_s16le",
                str(src),
            ],
            check=True,
        )
        print(f"input: {src.stat().st_size / 1e6:.0f} MB, {args.minutes:g} min 48 kHz stereo")
        subprocess.run(["cat", str(src)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        bare_wall, bare_rss = ffmpeg_bare(src, Path(tmp) / "bare.opus")
        ours_wall, child_rss, out = timed(
            [sys.executable, "-c", OURS, str(src), str(Path(tmp) / "ours.opus")]
        )
        ours = json.loads(out)
        ratio = ours_wall / bare_wall
        whole = ours["self_rss_mb"] + child_rss
        print(f"bare ffmpeg (measure + encode): {bare_wall:.1f} s, ffmpeg peak {bare_rss:.0f} MB")
        print(
            f"baladeur encode_file: {ours_wall:.1f} s ({ratio:.3f}x bare); peak RSS python "
            f"{ours['self_rss_mb']:.0f} MB, largest ffmpeg child {child_rss:.0f} MB, "
            f"sum {whole:.0f} MB; gain {ours['gain_db']:+.2f} dB, {ours['bytes']} bytes"
        )
        if args.pydub:
            wall, rss, _ = timed([sys.executable, "-c", PYDUB, str(src)])
            print(f"pydub AudioSegment.from_wav (load only): {wall:.1f} s, peak RSS {rss:.0f} MB")
    ok = whole <= MAX_RSS_MB and ratio <= MAX_RATIO
    print("targets met" if ok else f"target missed (<= {MAX_RSS_MB} MB, <= {MAX_RATIO}x)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
