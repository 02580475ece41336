"""``baladeur media``: same code as the server, one clear line (or JSON) on a mistake."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from authoring.cli import main


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def baladeur(capsys: pytest.CaptureFixture[str]):
    """Run the real CLI entry point in-process (as the console script does)."""

    def run(*args: str) -> Done:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def test_probe_json(baladeur, voice_wav: Path, tmp_path: Path) -> None:
    odd = tmp_path / 'Témoignage d\'Émile "été".wav'
    shutil.copyfile(voice_wav, odd)
    done = baladeur("media", "probe", str(odd), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["format"] == "wav" and data["channels"] == 2


def test_probe_text(baladeur, voice_wav: Path) -> None:
    done = baladeur("media", "probe", str(voice_wav))
    assert done.returncode == 0 and "wav / pcm_s16le" in done.stdout


def test_encode_json(baladeur, voice_wav: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.m4a"
    done = baladeur(
        "media",
        "encode",
        str(voice_wav),
        "--role",
        "voice",
        "--profile",
        "aac",
        "-o",
        str(out),
        "--title",
        "Le moulin",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["extension"] == ".m4a" and data["channels"] == 1 and out.is_file()
    assert data["loudness"]["integrated_lufs"] < -16


@pytest.mark.parametrize("as_json", [False, True])
def test_rejected_file_is_one_line(baladeur, tmp_path: Path, as_json: bool) -> None:
    pdf = tmp_path / "x.flac"
    pdf.write_bytes(b"%PDF-1.4 not audio")
    out = tmp_path / "o.opus"
    args = ["media", "encode", str(pdf), "-o", str(out)] + (["--json"] if as_json else [])
    done = baladeur(*args)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    if as_json:
        payload = json.loads(done.stderr)
        assert payload["error"] == "Media rejected" and "PDF" in payload["detail"]
    else:
        assert "PDF" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.flac"]


@pytest.mark.parametrize(
    "args",
    [
        ["media", "probe", "/nonexistent/file.wav", "--json"],
        ["media", "encode", "{src}", "--role", "choir", "-o", "{tmp}/o.opus", "--json"],
        ["media", "encode", "{src}", "-o", "{tmp}/no/dir/o.opus", "--json"],
    ],
)
def test_user_mistakes(baladeur, voice_wav: Path, tmp_path: Path, args: list[str]) -> None:
    argv = [a.format(src=voice_wav, tmp=tmp_path) for a in args]
    done = baladeur(*argv)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "detail" in json.loads(done.stderr)


# The console script's start, reporting at exit which heavy packages were loaded.
_LAUNCH = """
import atexit, sys
atexit.register(lambda: print(sorted({"fastapi", "server", "sqlalchemy"} & set(sys.modules))))
sys.argv = ["baladeur", *sys.argv[1:]]
from authoring.launcher import main
main()
"""


def test_media_commands_start_without_the_others(voice_wav: Path) -> None:
    """`baladeur media` loads media/ only, and answers as the whole command line does."""
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCH, "media", "probe", "--json", str(voice_wav)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    facts, _, loaded = launched.stdout.rstrip("\n").rpartition("\n")
    assert json.loads(facts)["channels"] == 2 and loaded == "[]"
    for args in (["media", "--help"], ["media", "encode", "--help"], ["media", "probe", "/no"]):
        fast = subprocess.run(
            [sys.executable, "-c", _LAUNCH, *args], capture_output=True, text=True
        )
        full = subprocess.run(
            [sys.executable, "-c", "from authoring.cli import main; main()", *args],
            capture_output=True, text=True,
        )  # fmt: skip
        body, _, loaded = fast.stdout.rstrip("\n").rpartition("\n")
        assert (fast.returncode, loaded) == (full.returncode, "[]")
        assert body.rstrip("\n") == full.stdout.rstrip("\n") and fast.stderr == full.stderr, args
