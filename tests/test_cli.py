"""The CLI: import a trail folder, re-import idempotently, refuse bad folders cleanly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from server.db.models import Organisation, Release, Stop, Trail
from server.db.session import Database
from tests.support.audio import ffmpeg_make, tone
from tests.support.cli import run_cli


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def baladeur(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Callable[..., Result]:
    """Run the CLI in-process (as the console script would) against a given database."""

    def run(*args: str, database_url: str) -> Result:
        monkeypatch.setenv("BALADEUR_DATABASE_URL", database_url)
        monkeypatch.setenv("BALADEUR_DATA_DIR", str(tmp_path / "data"))
        return Result(*run_cli(capsys, *args))

    return run


def run_subprocess(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "authoring.cli", *args],
        env={"BALADEUR_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(db: Database) -> tuple[int, int, int]:
    with db.transaction() as s:
        return (
            s.scalar(select(func.count()).select_from(Trail)) or 0,
            s.scalar(select(func.count()).select_from(Stop)) or 0,
            s.scalar(select(func.count()).select_from(Release)) or 0,
        )


def test_import_publish_and_skip_when_unchanged(
    db: Database, database_url: str, demo_folder: Path, tmp_path: Path, baladeur
) -> None:
    args = ("import", str(demo_folder), "--publish", "--if-changed", "--json")
    first = baladeur(*args, database_url=database_url)
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert {k: result[k] for k in ("slug", "imported", "release", "stops")} == {
        "slug": "moulin-de-marchienne",
        "imported": True,
        "release": 1,
        "stops": 6,
    }
    opus = result["size"]["profiles"]["opus"]
    assert 0 < opus["bytes"] < 2_000_000
    assert opus["stops"][0]["key"] == "moulin"
    assert result["size"]["warnings"] == []
    again = baladeur(*args, database_url=database_url)
    assert json.loads(again.stdout)["imported"] is False
    assert _counts(db) == (1, 6, 1)


@pytest.fixture
def small_folder(tmp_path: Path) -> Path:
    """A two-stop trail with one-second tones, quick to encode."""
    folder = tmp_path / "small"
    (folder / "media").mkdir(parents=True)
    stops = []
    for i, key in enumerate(("un", "deux")):
        ffmpeg_make(
            folder / "media" / f"{key}.opus", *tone(1, freq=300 + 200 * i), "-c:a", "libopus"
        )
        stops.append(
            {
                "key": key,
                "title": {"fr": key},
                "zone": {"type": "circle", "center": [4.39 + i * 0.002, 50.40], "radius_m": 25},
                "story": {"versions": {"fr": {"audio": f"media/{key}.opus"}}},
            }
        )
    trail = {"slug": "petit", "languages": ["fr"], "title": {"fr": "Petit"}, "stops": stops}
    (folder / "trail.yaml").write_text(yaml.safe_dump(trail, allow_unicode=True))
    return folder


def test_changed_folder_makes_a_new_release(
    db: Database, database_url: str, small_folder: Path, baladeur
) -> None:
    folder = small_folder
    assert baladeur("import", str(folder), "--publish", database_url=database_url).returncode == 0
    data = yaml.safe_load((folder / "trail.yaml").read_text())
    data["stops"] = data["stops"][:1]
    (folder / "trail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    result = baladeur("import", str(folder), "--publish", "--if-changed", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert _counts(db) == (1, 1, 2)


def test_import_into_an_organisation_requiring_approval_publishes_a_waiting_release(
    db: Database, database_url: str, small_folder: Path, baladeur
) -> None:
    """The server's own command keeps the organisation's rule: nothing goes live unapproved."""
    with db.transaction() as session:
        session.add(Organisation(slug="strict", name="Strict", requires_second_approval=True))
    args = ("import", str(small_folder), "--org", "strict", "--publish", "--if-changed")
    first = baladeur(*args, "--json", database_url=database_url)
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert (result["release"], result["state"]) == (1, "awaiting")
    with db.transaction() as session:
        trail = session.scalar(select(Trail).where(Trail.slug == "petit"))
        assert trail is not None and trail.current_release_id is None
    # Unchanged, and already waiting for approval: nothing more to publish.
    again = baladeur(*args, database_url=database_url)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
    assert _counts(db) == (1, 2, 1)


def test_refused_media_file_stops_the_import(
    db: Database, database_url: str, small_folder: Path, tmp_path: Path, baladeur
) -> None:
    (small_folder / "media" / "deux.opus").write_bytes(b"%PDF-1.4\n" + b"x" * 2000)
    result = baladeur("import", str(small_folder), "--publish", database_url=database_url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error: media/deux.opus: the file is a PDF document" in result.stderr
    assert _counts(db) == (0, 0, 0)
    with db.transaction() as s:
        from server.db.models import Asset

        assert s.scalar(select(func.count()).select_from(Asset)) == 0
    # Every file is checked before any is stored: no blob, no temporary file.
    assert [p for p in (tmp_path / "data" / "blobs").rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d.update(slug="moulin de marchienne"),
            "slug: 'moulin de marchienne' is not a slug",
        ),
        (lambda d: d["stops"][0]["zone"].update(center=[4.39, 91]), "latitude must be between"),
        (lambda d: d["stops"][0]["zone"].update(radius_m=0), "radius must be between 5 m"),
        (lambda d: d.update(languages=["fr", "xx"]), "languages.1: 'xx' is not a known BCP 47"),
        # Sound objects: the source format's own checks, the same as `baladeur build`'s.
        (lambda d: d["objects"][0].pop("audio"), "objects.0.audio: Field required"),
        (lambda d: d["objects"][0].update(radius_m=0), "objects.0.radius_m: Input should be"),
        (lambda d: d["objects"][0].update(radius_m=5001), "objects.0.radius_m: Input should be"),
        (
            lambda d: d["objects"][1].update(ref_distance_m=80),
            "ref_distance_m (80) must not exceed radius_m (70)",
        ),
        (lambda d: d["objects"][0].update(rolloff="cubic"), "objects.0.rolloff: Input should be"),
        (
            lambda d: d["objects"][0].update(facing={"tolerance_deg": 181}),
            "objects.0.facing.tolerance_deg: Input should be less than or equal to 180",
        ),
    ],
)
def test_bad_folder_is_one_line_and_writes_nothing(
    db: Database,
    database_url: str,
    demo_folder: Path,
    tmp_path: Path,
    baladeur,
    mutate,
    expected: str,
) -> None:
    folder = tmp_path / "trail"
    shutil.copytree(demo_folder, folder)
    data = yaml.safe_load((folder / "trail.yaml").read_text())
    mutate(data)
    (folder / "trail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    result = baladeur("import", str(folder), "--publish", database_url=database_url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert _counts(db) == (0, 0, 0)

    as_json = baladeur("import", str(folder), "--json", database_url=database_url)
    payload = json.loads(as_json.stderr)
    assert payload["error"] == "Invalid input"
    assert payload["errors"][0]["field"]


def unnamed(value: Any) -> Any:
    """``value`` with every media path replaced by a placeholder."""
    if isinstance(value, dict):
        return {k: unnamed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unnamed(v) for v in value]
    return "media/…" if isinstance(value, str) and value.startswith("media/") else value


def test_publishing_writes_the_sound_objects_as_baladeur_build_does(
    db: Database, database_url: str, demo_folder: Path, tmp_path: Path, baladeur
) -> None:
    """The same trail, published from the database or built from its folder: same members."""
    published = baladeur("import", str(demo_folder), "--publish", database_url=database_url)
    assert published.returncode == 0, published.stderr
    with db.transaction() as session:
        release = session.scalars(select(Release)).one()
        bundle = next(b for b in release.bundles if b.profile == "opus")
        served = json.loads(bundle.manifest_bytes)
    out = tmp_path / "built.zip"
    built = baladeur("build", str(demo_folder), "-o", str(out), database_url=database_url)
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(out) as zf:
        local = json.loads(zf.read("manifest.json"))

    assert served["format_minor"] == local["format_minor"] == 2
    assert [o["key"] for o in served["objects"]] == ["roue", "courant"]
    # The server encodes with loudness normalisation, so the audio's bytes (and names) differ.
    assert unnamed(served["objects"]) == unnamed(local["objects"])
    assert unnamed(served["stops"]) == unnamed(local["stops"])
    assert unnamed(served["ambience"]) == unnamed(local["ambience"])
    # The objects' audio is in the release's media, as in the built bundle.
    assert {o["audio"] for o in served["objects"]} <= {m["path"] for m in served["media"]}


def test_a_published_address_is_not_published_twice(
    db: Database, database_url: str, small_folder: Path, tmp_path: Path, baladeur
) -> None:
    demo_folder = small_folder
    # Slugs are per organisation; the public address belongs to the first to publish it.
    ok = baladeur(
        "import", str(demo_folder), "--org", "first", "--publish", database_url=database_url
    )
    assert ok.returncode == 0, ok.stderr
    clash = baladeur(
        "import", str(demo_folder), "--org", "second", "--publish", database_url=database_url
    )
    assert clash.returncode == 1
    assert "is used by another published trail" in clash.stderr
    with db.transaction() as s:
        assert s.scalars(select(Organisation.slug).order_by(Organisation.slug)).all() == [
            "first",
            "second",
        ]
        assert len(s.scalars(select(Trail)).all()) == 2  # the second is a draft of its own
        assert len(s.scalars(select(Release)).all()) == 1
    # --if-changed compares with this organisation's trail, not another's of the same slug.
    args = ("import", str(demo_folder), "--org", "third", "--if-changed", "--json")
    third = baladeur(*args, database_url=database_url)
    assert third.returncode == 0, third.stderr
    assert json.loads(third.stdout)["imported"] is True
    # Exporting a slug several organisations use needs the organisation named.
    out = tmp_path / "out"
    ambiguous = baladeur("export", "petit", str(out), database_url=database_url)
    assert ambiguous.returncode == 1
    assert "name the organisation" in ambiguous.stderr
    named = baladeur("export", "petit", str(out), "--org", "first", database_url=database_url)
    assert named.returncode == 0, named.stderr
    assert (out / "trail.yaml").is_file()


def test_unknown_command_and_help(tmp_path: Path) -> None:
    result = run_subprocess("frobnicate", data_dir=tmp_path)
    assert result.returncode == 2
    assert "No such command" in result.stderr
    helped = run_subprocess("--help", data_dir=tmp_path)
    assert helped.returncode == 0
    for command in ("import", "serve", "db"):
        assert command in helped.stdout
