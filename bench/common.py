"""What every benchmark shares: the result row, percentiles, ports and a loopback server."""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Baseline:
    """What a figure is compared with, measured in the same run."""

    name: str
    value: float | None


@dataclass
class Result:
    """One row of the results table (the schema of ``bench/results.json``).

    ``ratio`` is value / baseline value; ``goal`` is the target in words; ``met`` is whether
    the goal holds (``None`` when the row only informs).
    """

    name: str
    metric: str
    unit: str
    value: float
    baseline: Baseline | None = None
    ratio: float | None = None
    goal: str | None = None
    met: bool | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ratio is None and self.baseline is not None and self.baseline.value:
            self.ratio = self.value / self.baseline.value

    def to_json(self) -> dict[str, Any]:
        """The row as JSON-ready data."""
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), nearest-rank: a real observed value."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def rss_mb(pid: int) -> float:
    """Current resident memory (VmRSS) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until ``url`` answers 200, or fail if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {err[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def baladeur_server(
    env: Mapping[str, str], *options: str, code: Path | None = None, start_s: float = 60
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``baladeur serve`` on a free loopback port, with ``BALADEUR_*`` settings from ``env``
    and more command-line ``options`` (e.g. ``--workers 2``).

    The very command and options visitors' servers run (uvicorn, zero-copy file bodies).
    ``code`` serves another checkout's code instead (e.g. the main branch, for before/after
    figures in one run); ``start_s`` is how long it may take to answer.
    """
    port = free_port()
    full_env = {**os.environ, "BALADEUR_LOG_LEVEL": "WARNING", **env}
    # No job workers: the benchmarks measure serving, not encoding.
    full_env.setdefault("BALADEUR_INPROCESS_WORKER", "false")
    if code is not None:
        full_env["PYTHONPATH"] = str(code)
    command = (
        [sys.executable, "-m", "authoring.cli"]
        if code
        else [str(Path(sys.executable).with_name("baladeur"))]
    )
    # Its log goes to a file, not a pipe: a pipe nobody reads fills up (64 kB of warnings under
    # load), and the server then stops at its next log line, every request with it.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [*command, "serve", "--port", str(port), *options],
            cwd=code or ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_http(f"{base}/healthz", proc, timeout=start_s)
            except RuntimeError as exc:
                log.seek(0)
                tail = log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"{exc}\n{tail}") from None
            yield base, proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process this benchmark started, politely then firmly."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def format_value(value: float | None, unit: str = "") -> str:
    """A figure with enough digits to read, and its unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    magnitude = abs(value)
    if magnitude == 0 or magnitude >= 100:
        text = f"{value:,.0f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def results_table(results: list[Result], title: str = "Baladeur benchmarks") -> Any:
    """A rich table of the rows: value beside baseline, ratio, goal and whether it is met."""
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in ("benchmark", "metric", "value", "baseline", "ratio", "goal", "met"):
        table.add_column(column, overflow="fold")
    for r in results:
        baseline = "-"
        if r.baseline is not None:
            baseline = f"{r.baseline.name}: {format_value(r.baseline.value, r.unit)}"
        ratio = "-"
        if r.ratio is not None:
            ratio = f"{r.ratio:.2f}x" if r.ratio >= 0.1 else f"{r.ratio:.2g}x"
        met = {True: "[green]✓[/]", False: "[red]✗[/]", None: ""}[r.met]
        table.add_row(
            r.name, r.metric, format_value(r.value, r.unit), baseline, ratio, r.goal or "", met
        )
    return table


def standalone(run: Callable[[bool], list[Result]], description: str | None, quick: str) -> int:
    """Run one benchmark on its own from the command line (``--quick``: ``quick``).

    Prints its rows; 1 if a goal is missed.
    """
    import argparse

    from rich.console import Console

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick)
    results = run(parser.parse_args().quick)
    Console().print(results_table(results))
    return 1 if any(r.met is False for r in results) else 0
