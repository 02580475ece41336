"""``baladeur simulate`` and ``baladeur validate`` end to end on a tiny generated trail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.support.audio import ffmpeg_make, tone
from tests.support.cli import run_cli

KX = 111_194.9 * 0.6371  # metres per degree of longitude near 50.41 N


@pytest.fixture(scope="module")
def trail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trail")
    for key, seconds in (("a", 3), ("b", 2), ("c", 1)):
        ffmpeg_make(folder / f"{key}.ogg", *tone(seconds), "-ac", "1")

    def stop(key: str, east: float) -> dict[str, object]:
        return {
            "key": key,
            "title": {"fr": key},
            "zone": {"type": "circle", "center": [4.40 + east / KX, 50.41], "radius_m": 20},
            "story": {"versions": {"fr": {"audio": f"{key}.ogg"}}},
        }

    data = {
        "slug": "demo",
        "languages": ["fr"],
        "title": {"fr": "Démo"},
        "stops": [stop("a", 50), stop("b", 150), stop("c", 1000)],
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


def _line(tmp_path: Path) -> Path:
    path = tmp_path / "walk.geojson"
    coords = [[4.40, 50.41], [4.40 + 200 / KX, 50.41]]
    path.write_text(json.dumps({"type": "LineString", "coordinates": coords}), encoding="utf-8")
    return path


def test_simulate_json(trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "simulate", str(trail_dir), str(_line(tmp_path)), "--json")
    assert code == 0
    result = json.loads(out)
    plays = [(e["stop"], e["t"]) for e in result["events"] if e["type"] == "play"]
    # 200 m at 1.2 m/s; a's zone starts 30 m in (25 s), b's 130 m in (about 108 s).
    assert [s for s, _ in plays] == ["a", "b"]
    assert plays[0][1] == pytest.approx(25, abs=1.5)
    summary = result["summary"]
    assert summary["stops_heard"] == ["a", "b"]
    assert summary["stops_missed"] == [{"stop": "c", "reason": "never entered"}]
    assert summary["listening_s"] == pytest.approx(5, abs=0.1)
    assert [a["stop"] for a in result["audible"]] == ["a", "b"]
    assert summary["idle_gaps"]  # 25 s before a is short, but b..end and a..b are not


def test_simulate_speed_noise_and_plots(
    trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = str(_line(tmp_path))
    code, out, _ = run_cli(capsys, "simulate", str(trail_dir), line, "--json", "--speed", "2.4")
    assert code == 0
    assert json.loads(out)["track"]["duration_s"] == pytest.approx(200 / 2.4, abs=1)
    runs = []
    for _ in range(2):
        _, out, _ = run_cli(
            capsys, "simulate", str(trail_dir), line, "--json", "--noise", "8", "--seed", "4"
        )
        runs.append(json.loads(out)["events"])
    assert runs[0] == runs[1]
    for name in ("plot.svg", "plot.png"):
        code, _, _ = run_cli(
            capsys, "simulate", str(trail_dir), line, "--plot", str(tmp_path / name)
        )
        assert code == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert (tmp_path / "plot.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("track_text", "suffix", "message"),
    [
        ("", ".csv", "missing column"),
        ('{"type": "LineString", "coordinates": [[4.4, 50.41]]}', ".geojson", "single point"),
    ],
)
def test_simulate_bad_track_is_one_clear_error(
    trail_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    track_text: str,
    suffix: str,
    message: str,
) -> None:
    track = tmp_path / f"bad{suffix}"
    track.write_text(track_text, encoding="utf-8")
    code, out, err = run_cli(capsys, "simulate", str(trail_dir), str(track), "--json")
    assert code == 1 and out == ""
    assert message in json.loads(err)["detail"]


def test_simulate_refuses_what_is_not_a_trail_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "trail.zip"
    bundle.write_bytes(b"PK")
    code, _, err = run_cli(capsys, "simulate", str(bundle), str(_line(tmp_path)))
    assert code == 1 and "not a trail source folder" in err


def test_validate_json(trail_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "validate", str(trail_dir), "--json")
    items = json.loads(out)
    assert code == 0  # warnings only
    assert {"severity", "stop", "code", "message"} == set(items[0])
    assert ("a", "missing-transcript") in {(i["stop"], i["code"]) for i in items}
    assert ("a", "narration-longer-than-walk") not in {(i["stop"], i["code"]) for i in items}
