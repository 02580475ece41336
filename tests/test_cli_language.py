"""The `baladeur` command speaks the language of its environment, as command-line tools do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from authoring.language import language_from
from tests.support.cli import run_cli

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def speak(monkeypatch: pytest.MonkeyPatch):
    """Set the locale variables of this process to exactly the ones given."""

    def set_locale(**values: str) -> None:
        for name in LOCALE_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_locale


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "nl_BE.UTF-8"}, "nl"),
        ({"LANG": "fr_BE.UTF-8@euro"}, "fr"),
        ({"LANGUAGE": "de:fr", "LANG": "fr_FR.UTF-8"}, "de"),
        ({"LANGUAGE": "es:it:fr", "LANG": "en_GB.UTF-8"}, "fr"),
        ({"LANGUAGE": "es", "LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LC_ALL": "de_AT.UTF-8", "LANG": "fr_FR.UTF-8"}, "de"),
        ({"LC_MESSAGES": "nl_NL.UTF-8", "LANG": "fr_FR.UTF-8"}, "nl"),
        ({"LC_ALL": "", "LANG": "de_DE"}, "de"),
        # C and POSIX are English, and silence LANGUAGE as in GNU gettext.
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LC_ALL": "C.UTF-8", "LANGUAGE": "de"}, "en"),
        ({"LANG": "xx_YY"}, "en"),
        ({"LANG": "es_ES.UTF-8"}, "en"),
        ({"LANG": ""}, "en"),
        ({}, "en"),
        ({"LANG": "x" * 10_000}, "en"),
        ({"LANGUAGE": ":" * 10_000, "LANG": "de_DE" + "@" * 10_000}, "en"),
        ({"LANG": "!!!"}, "en"),
    ],
)
def test_the_language_comes_from_the_environment(environ: dict[str, str], language: str) -> None:
    assert language_from(environ) == language


def test_dutch_environment_gives_dutch_results_and_refusals(
    speak, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    speak(LANG="nl_BE.UTF-8")
    code, out, err = run_cli(capsys, "init", str(tmp_path / "molen"), "--slug", "molen")
    assert (code, err) == (0, "")
    assert out == f"{tmp_path / 'molen'} aangemaakt: wandeling molen met één halte\n"
    code, out, err = run_cli(capsys, "media", "probe", str(tmp_path / "geen.wav"))
    assert code == 1 and out == ""
    assert err == "fout: file: bestand niet gevonden\n"
    code, out, err = run_cli(capsys, "verify", str(tmp_path / "geen.zip"))
    assert code == 1
    assert out == "not-a-file: pakketbestand niet gevonden\n"
    assert err == "handtekening niet gecontroleerd: geef --key, --server of --trust\n"


def test_a_source_refusal_found_by_validate_is_in_the_language(
    speak, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    speak(LANG="nl_BE.UTF-8")
    code, out, err = run_cli(capsys, "validate", str(tmp_path))
    assert code == 1
    found = "folder: geen trail.yaml in deze map; corrigeer de bron van de wandeling"
    assert f"{found} (invalid-source)" in out + err
    assert "in this folder" not in out + err


def test_a_list_of_languages_gives_the_first_known_one(
    speak, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    speak(LANGUAGE="de:fr", LANG="fr_BE.UTF-8")
    code, out, _ = run_cli(capsys, "init", str(tmp_path / "muehle"), "--slug", "muehle")
    assert code == 0
    assert out == f"{tmp_path / 'muehle'} angelegt: Rundgang muehle mit einer Station\n"
    speak(LANGUAGE="es:fr", LANG="en_GB.UTF-8")
    code, _, err = run_cli(capsys, "init", str(tmp_path / "moulin"), "--at", "here")
    assert code == 1
    assert err == "erreur : at: attendu LON,LAT, par exemple 4.395,50.4037\n"


@pytest.mark.parametrize(
    "environ",
    [
        {"LANG": "C"},
        {"LANG": "C.UTF-8", "LANGUAGE": "nl"},
        {"LANG": "xx_YY"},
        {"LANG": ""},
        {"LANG": "x" * 10_000},
        {"LANGUAGE": "x" * 10_000, "LC_ALL": "y" * 10_000},
    ],
)
def test_unknown_empty_or_huge_values_give_english_and_no_error(
    speak, capsys: pytest.CaptureFixture[str], tmp_path: Path, environ: dict[str, str]
) -> None:
    speak(**environ)
    code, out, err = run_cli(capsys, "init", str(tmp_path / "mill"), "--slug", "mill")
    assert (code, err) == (0, "")
    assert out == f"created {tmp_path / 'mill'}: trail mill with one stop\n"
    code, _, err = run_cli(capsys, "media", "probe", str(tmp_path / "none.wav"))
    assert (code, err) == (1, "error: file: no such file\n")


def test_json_keeps_its_keys_and_codes_and_translates_the_words(
    speak, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    speak(LANG="de_DE.UTF-8")
    code, out, err = run_cli(capsys, "media", "probe", str(tmp_path / "none.wav"), "--json")
    assert code == 1 and out == ""
    refusal = json.loads(err)
    assert refusal["error"] == "Invalid input"
    assert refusal["detail"] == "file: Datei nicht gefunden"
    assert refusal["errors"] == [
        {"field": "file", "value": str(tmp_path / "none.wav"), "message": "Datei nicht gefunden"}
    ]
    code, out, _ = run_cli(capsys, "verify", str(tmp_path / "none.zip"), "--json")
    report = json.loads(out)
    assert report["ok"] is False
    assert report["problems"] == [
        {"code": "not-a-file", "message": "Paketdatei nicht gefunden", "entry": None}
    ]


def test_the_console_script_reads_its_own_environment(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "nl_BE.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-m", "authoring.cli", "init", str(tmp_path / "molen")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{tmp_path / 'molen'} aangemaakt: wandeling molen met één halte\n"
