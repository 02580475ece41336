"""``baladeur media``: same code as the server, one clear line (or JSON) on a mistake."""

from __future__ import annotations

import json
import shutil
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
