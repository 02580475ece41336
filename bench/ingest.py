"""Ingest benchmark: a 20-minute 48 kHz stereo WAV to voice renditions, beside bare ffmpeg.

Run from the repository root: ``.venv/bin/python bench/ingest.py`` (about 4 minutes;
``--quick`` for one minute of audio and one round; ``--compare PATH`` also times the
pipeline of another checkout, e.g. the main branch, in the same rounds). Wall time, CPU time
and the peak memory of the whole process tree are taken per run; full runs keep the median
of three rounds. See bench/README.md, section Ingest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Baseline, Result  # noqa: E402
from media.loudness import downmix_filter  # noqa: E402
from media.renditions import _LIMITER, ENCODINGS, LIMITER_MARGIN_DB  # noqa: E402

MAX_RSS_MB = 200
MAX_RATIO = 1.15
_PAGE = os.sysconf("SC_PAGE_SIZE")
_SAMPLE_S = 0.05

# What `baladeur media encode` runs, started the way the console script starts it.
CLI = "import sys; sys.argv[0] = 'baladeur'; from authoring.launcher import main; main()"

# What the ingest job does for a voice asset's renditions: both profiles, two at a time.
BOTH = """
import sys
from pathlib import Path
from media.renditions import RenditionSpec, encode_many
src, out = Path(sys.argv[1]), Path(sys.argv[2])
jobs = [(src, out / f"ours.{p}", RenditionSpec(profile=p, role="voice", target_lufs=-16.0))
        for p in ("opus", "aac")]
encode_many(jobs, max_workers=2)
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


def bare_script(profiles: tuple[str, ...]) -> str:
    """Bare ffmpeg, the least a straightforward ingest does: R128 with true peak of the
    source as uploaded, then each profile's encode with the resulting gain (all at once)."""
    limit = 10 ** ((-1.0 - LIMITER_MARGIN_DB) / 20)
    chain = f"{downmix_filter('mono')},volume=${{gain}}dB," + _LIMITER.format(limit=limit)
    lines = [
        "set -e",
        'lufs=$(ffmpeg -hide_banner -nostdin -nostats -i "$1" '
        "-af ebur128=peak=true:framelog=verbose -f null - 2>&1 "
        "| awk '$1 == \"I:\" { v = $2 } END { print v }')",
        'gain=$(awk -v l="$lufs" \'BEGIN { printf "%.2f", -16 - l }\')',
    ]
    for profile in profiles:
        info = ENCODINGS[profile]
        args = " ".join(info.extra_args)
        lines.append(
            f'ffmpeg -hide_banner -nostdin -v error -y -i "$1" -af "{chain}" -c:a {info.encoder} '
            f'-b:a {info.kbps["voice"]}k {args} -ar 48000 "$2/bare{info.extension}" &'
        )
    lines.append("wait")
    return "\n".join(lines)


@dataclass(frozen=True)
class Run:
    """Wall time (s), CPU time of the whole tree (s) and its peak memory (MB): resident
    (each process's shared libraries counted in full) and proportional (counted once)."""

    wall: float
    cpu: float
    rss: float
    pss: float


def _pss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


class TreeMemory:
    """Samples the summed resident (and proportional) memory of a process and all its
    descendants."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.parents: dict[int, int] = {}
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _parent(self, pid: int) -> int:
        if pid not in self.parents:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                self.parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                self.parents[pid] = -1
        return self.parents[pid]

    def _sample(self) -> None:
        live = [int(name) for name in os.listdir("/proc") if name.isdigit()]
        tree = {self.root}
        # Parents are read once per pid; a few passes settle grandchildren started late.
        for _ in range(4):
            grown = {pid for pid in live if self._parent(pid) in tree} - tree
            if not grown:
                break
            tree |= grown
        total = proportional = 0
        for pid in tree:
            # A process may end between the listing and the reading.
            with contextlib.suppress(OSError, ValueError, IndexError):
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
                proportional += _pss(pid)
        self.peak = max(self.peak, total)
        self.peak_pss = max(self.peak_pss, proportional)

    def _loop(self) -> None:
        while not self._stop.wait(_SAMPLE_S):
            self._sample()

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(argv: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
    """Run to completion; wall, CPU (user + system of the process and what it waited for)
    and peak memory of the whole tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=env
    )
    with TreeMemory(proc.pid) as memory:
        _, err = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"failed: {argv[:3]}\n{err.decode(errors='replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, memory.peak / 1e6, memory.peak_pss / 1e6)


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


def _code_env(code: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code)}


def measure_all(minutes: float, rounds: int, compare: Path | None = None) -> dict[str, list[Run]]:
    """Every pipeline on the same WAV, ``rounds`` times, taking turns within each round."""
    runs: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="baladeur-bench-", dir="/tmp") as tmp:
        work = Path(tmp)
        src = work / "input.wav"
        make_wav(src, minutes)
        (work / "bare-opus.sh").write_text(bare_script(("opus",)))
        (work / "bare-both.sh").write_text(bare_script(("opus", "aac")))
        subprocess.run(["cat", str(src)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        out = str(work / "out.opus")
        steps: dict[str, Callable[[], Run]] = {
            "bare_opus": lambda: timed(["sh", str(work / "bare-opus.sh"), str(src), tmp]),
            "cli": lambda: timed(
                [sys.executable, "-c", CLI, "media", "encode", str(src), "-o", out]
            ),
            "bare_both": lambda: timed(["sh", str(work / "bare-both.sh"), str(src), tmp]),
            "both": lambda: timed([sys.executable, "-c", BOTH, str(src), tmp]),
        }
        if compare is not None:
            steps["cli_compared"] = lambda: timed(
                [sys.executable, "-c", CLI, "media", "encode", str(src), "-o", out],
                cwd=compare,
                env=_code_env(compare),
            )
            steps["both_compared"] = lambda: timed(
                [sys.executable, "-c", BOTH, str(src), tmp], cwd=compare, env=_code_env(compare)
            )
        for _ in range(rounds):
            for name, step in steps.items():
                runs.setdefault(name, []).append(step())
        runs["pydub"] = [timed([sys.executable, "-c", PYDUB, str(src), str(work / "pydub")])]
    return runs


def median(runs: list[Run], field: str) -> float:
    """The median of one figure over the runs."""
    return statistics.median(getattr(r, field) for r in runs)


def rows(runs: dict[str, list[Run]], what: str, ours: str, bare: str, label: str) -> list[Result]:
    """Wall (goal), CPU and peak memory (goal) of ``ours`` beside ``bare``."""
    base = "bare ffmpeg (R128 + true peak, encode)"
    extra = {
        name: [{"wall": r.wall, "cpu": r.cpu, "rss_mb": r.rss, "pss_mb": r.pss} for r in values]
        for name, values in runs.items()
        if name in (ours, bare, f"{ours}_compared")
    }
    wall, cpu, rss = (median(runs[ours], f) for f in ("wall", "cpu", "rss"))
    bare_wall, bare_cpu, bare_rss = (median(runs[bare], f) for f in ("wall", "cpu", "rss"))
    found = [
        Result("ingest", f"{what}, {label}: wall", "s", wall, Baseline(base, bare_wall),
               goal=f"<= {MAX_RATIO}x bare ffmpeg", met=wall / bare_wall <= MAX_RATIO,
               notes=f"median of {len(runs[ours])}", extra=extra),
        Result("ingest", f"{what}, {label}: CPU", "s", cpu, Baseline(base, bare_cpu),
               notes="user + system, whole process tree"),
        Result("ingest", f"{what}, {label}: peak memory", "MB", rss, Baseline(base, bare_rss),
               goal=f"<= {MAX_RSS_MB} MB", met=rss <= MAX_RSS_MB,
               notes="summed RSS of the process tree, sampled every 50 ms"),
        Result("ingest", f"{what}, {label}: peak proportional memory", "MB",
               median(runs[ours], "pss"), Baseline(base, median(runs[bare], "pss")),
               notes="summed PSS: libraries shared by the tree's processes counted once"),
    ]  # fmt: skip
    if f"{ours}_compared" in runs:
        other = runs[f"{ours}_compared"]
        found.append(
            Result("ingest", f"{what}, {label}, compared checkout: wall", "s",
                   median(other, "wall"), Baseline(base, bare_wall),
                   notes=f"CPU {median(other, 'cpu'):.1f} s, "
                         f"peak memory {median(other, 'rss'):.0f} MB")
        )  # fmt: skip
    return found


def run(quick: bool = False, compare: Path | None = None) -> list[Result]:
    """Our voice renditions beside bare ffmpeg (and pydub), in the same run."""
    minutes, rounds = (1.0, 1) if quick else (20.0, 3)
    runs = measure_all(minutes, rounds, compare)
    what = f"{minutes:g} min stereo WAV to voice"
    pydub = runs["pydub"][0]
    return [
        *rows(runs, what, "cli", "bare_opus", "Opus, CLI"),
        *rows(runs, what, "both", "bare_both", "both profiles"),
        Result("ingest", f"{what}, both profiles: wall", "s", median(runs["both"], "wall"),
               Baseline("pydub", pydub.wall)),
        Result("ingest", f"{what}, both profiles: peak memory", "MB",
               median(runs["both"], "rss"), Baseline("pydub", pydub.rss)),
    ]  # fmt: skip


def main() -> int:
    """Run alone: print the rows (and JSON with ``--json``); 1 if a goal is missed."""
    from rich.console import Console

    from bench.common import results_table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one minute of audio, one round")
    parser.add_argument("--compare", type=Path, help="another checkout to time alongside")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    load = os.getloadavg()
    results = run(args.quick, args.compare)
    Console().print(results_table(results))
    print(f"load average at start {load[0]:.2f}, at end {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps([r.to_json() for r in results], indent=2))
    return 1 if any(r.met is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
