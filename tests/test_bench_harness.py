"""The benchmark harness: result schema, table, exit status, and the JSON of a tiny real run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from bench.common import Baseline, Result, format_value, percentile, results_table
from bench.run import exit_status, main

ROW_KEYS = {"name", "metric", "unit", "value", "baseline", "ratio", "goal", "met"}


def check_document(doc: dict[str, Any]) -> None:
    """The schema of bench/results.json that the issue fixes."""
    assert isinstance(doc["machine"], dict)
    for key in ("cpu_count", "cpu_model", "memory_mb", "python", "ffmpeg", "loadavg_at_start"):
        assert key in doc["machine"]
    assert isinstance(doc["benchmarks"], list)
    for row in doc["benchmarks"]:
        assert row.keys() >= ROW_KEYS
        assert isinstance(row["name"], str) and isinstance(row["metric"], str)
        assert isinstance(row["unit"], str)
        assert isinstance(row["value"], int | float)
        if row["baseline"] is not None:
            assert set(row["baseline"]) == {"name", "value"}
        assert row["ratio"] is None or isinstance(row["ratio"], int | float)
        assert row["met"] in (True, False, None)
        assert row["goal"] is None or isinstance(row["goal"], str)


def fake(met: bool | None) -> list[Result]:
    return [
        Result("fake", "wall", "s", 3.0, Baseline("reference", 2.0), goal="<= 2x", met=met),
        Result("fake", "size", "MB", 10.0),
    ]


def test_ratio_is_value_over_baseline() -> None:
    row = fake(True)[0]
    assert row.ratio == pytest.approx(1.5)
    assert Result("x", "m", "s", 1.0, Baseline("none", None)).ratio is None
    assert Result("x", "m", "s", 1.0, Baseline("zero", 0.0)).ratio is None


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7


def test_format_value() -> None:
    assert format_value(1234.5, "MB") in ("1,234 MB", "1,235 MB")
    assert format_value(0.0123, "s") == "0.0123 s"
    assert format_value(None) == "n/a"


def test_table_shows_baseline_ratio_and_met() -> None:
    console = Console(width=200, record=True)
    console.print(results_table([*fake(False), fake(True)[0]]))
    text = console.export_text()
    assert "reference: 2.00 s" in text
    assert "1.50x" in text
    assert "✗" in text and "✓" in text


@pytest.mark.parametrize(
    ("met", "crashed", "quick", "status"),
    [
        (True, [], False, 0),
        (False, [], False, 1),
        (False, [], True, 0),  # quick runs report goals, they do not enforce them
        (True, ["download"], True, 2),
        (True, ["download"], False, 2),
    ],
)
def test_exit_status(met: bool, crashed: list[str], quick: bool, status: int) -> None:
    assert exit_status(fake(met), crashed, quick) == status


def test_main_with_fake_runners(tmp_path: Path) -> None:
    out = tmp_path / "results.json"

    def boom(quick: bool) -> list[Result]:
        raise RuntimeError("kaput")

    def good(quick: bool) -> list[Result]:
        return fake(False)

    runners = {"good": good, "bad": boom}
    assert main(["--quick", "--only", "good", "--output", str(out)], runners) == 0
    assert main(["--only", "good", "--output", str(out)], runners) == 1
    assert main(["--quick", "--output", str(out)], runners) == 2
    doc = json.loads(out.read_text())
    check_document(doc)
    assert "bad" in doc["errors"] and "kaput" in doc["errors"]["bad"]
    with pytest.raises(SystemExit):
        main(["--only", "nonesuch", "--output", str(out)], runners)


def test_quick_triggers_run_writes_valid_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    assert main(["--quick", "--only", "triggers", "--output", str(out)]) == 0
    doc = json.loads(out.read_text())
    check_document(doc)
    assert doc["quick"] is True
    assert {row["name"] for row in doc["benchmarks"]} == {"triggers"}
    assert any(row["goal"] for row in doc["benchmarks"])
