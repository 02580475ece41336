"""Run every benchmark, print one table, write ``bench/results.json``.

``python -m bench.run`` runs the full benchmarks (for people: about 12 minutes, exit 1 when a
goal is missed); ``--quick`` runs the same code on small inputs (for CI: exit 0 whenever every
benchmark ran); ``--only triggers,publish`` picks. Both write ``bench/results.json``.
A benchmark that crashes is an error (exit 2) in both modes.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console

from bench.common import Result, results_table

HERE = Path(__file__).resolve().parent
# In the order of the issue; each module exposes run(quick: bool) -> list[Result].
BENCHMARKS = ("ingest", "publish", "download", "catalogue", "triggers", "render")

Runner = Callable[[bool], list[Result]]


def machine_info() -> dict[str, Any]:
    """What the figures were measured on, including how loaded the machine was."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    try:
        first = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, timeout=10)
        ffmpeg = first.stdout.splitlines()[0] if first.stdout else ""
    except (OSError, subprocess.SubprocessError):
        ffmpeg = "not installed"
    load = os.getloadavg()
    cpus = os.cpu_count() or 1
    return {
        "cpu_count": cpus,
        "cpu_model": model,
        "memory_mb": memory_mb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "ffmpeg": ffmpeg,
        "loadavg_at_start": [round(x, 2) for x in load],
        # Other work on a shared machine skews every ratio; flag it rather than hide it.
        "loaded": load[0] > 0.5 * cpus,
    }


def exit_status(results: Sequence[Result], crashed: Sequence[str], quick: bool) -> int:
    """2 if a benchmark crashed; in full mode 1 if a goal is missed; else 0."""
    if crashed:
        return 2
    if not quick and any(r.met is False for r in results):
        return 1
    return 0


def document(
    machine: dict[str, Any], results: Sequence[Result], crashed: dict[str, str], quick: bool
) -> dict[str, Any]:
    """The JSON written to ``bench/results*.json``."""
    return {
        "machine": machine,
        "quick": quick,
        "started_at": machine.get("started_at"),
        "benchmarks": [r.to_json() for r in results],
        "errors": crashed,
    }


def load_runner(name: str) -> Runner:
    """The ``run`` function of ``bench/<name>.py``."""
    module = importlib.import_module(f"bench.{name}")
    runner: Runner = module.run
    return runner


def main(argv: Sequence[str] | None = None, runners: Mapping[str, Runner] | None = None) -> int:
    """Run the chosen benchmarks; print the table; write the JSON; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small inputs, goals not enforced")
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--output", type=Path, help="JSON path (default bench/results.json)")
    args = parser.parse_args(argv)
    known = list(runners or BENCHMARKS)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or known
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    # One file for both modes (it is gitignored); its "quick" field says which run wrote it.
    output = args.output or HERE / "results.json"
    console = Console(width=max(Console().width, 150))
    machine = machine_info() | {"started_at": datetime.now(UTC).isoformat(timespec="seconds")}
    results: list[Result] = []
    crashed: dict[str, str] = {}
    for name in names:
        console.print(f"[bold]{name}[/] …", highlight=False)
        start = time.perf_counter()
        try:
            runner = runners[name] if runners else load_runner(name)
            rows = runner(args.quick)
        except Exception:
            crashed[name] = traceback.format_exc()
            console.print(f"[red]{name} crashed[/]\n{crashed[name]}", highlight=False)
            continue
        console.print(f"  {time.perf_counter() - start:.1f} s", highlight=False)
        results += rows
    mode = "quick: small inputs, goals reported, not enforced" if args.quick else "full"
    console.print(results_table(results, title=f"Baladeur benchmarks ({mode})"))
    load = ", ".join(f"{x:g}" for x in machine["loadavg_at_start"])
    console.print(
        f"{machine['cpu_count']} x {machine['cpu_model'] or 'unknown CPU'}, "
        f"{machine['memory_mb']} MB, Python {machine['python']}; load average at start {load}"
        + (" (loaded: ratios are less reliable)" if machine["loaded"] else ""),
        highlight=False,
    )
    output.write_text(json.dumps(document(machine, results, crashed, args.quick), indent=2) + "\n")
    console.print(f"wrote {output}", highlight=False)
    missed = [f"{r.name}: {r.metric}" for r in results if r.met is False]
    if missed:
        console.print("[red]goals not met:[/] " + "; ".join(missed), highlight=False)
    if crashed:
        console.print("[red]crashed:[/] " + ", ".join(crashed), highlight=False)
    return exit_status(results, list(crashed), args.quick)


if __name__ == "__main__":
    sys.exit(main())
