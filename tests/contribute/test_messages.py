"""The residents' pages' messages: every language has English's keys and placeholders, and
every message the code asks for exists (checked by the page's own ICU MessageFormat library)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.browser import tool_unavailable

APP = Path(__file__).resolve().parents[2] / "web" / "contribute"
MESSAGES = APP / "messages"
CHECK = APP / "tools" / "check-messages.mjs"


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    return subprocess.run(
        [node, str(CHECK), str(folder)], capture_output=True, text=True, timeout=60
    )


def test_the_four_languages_agree_with_english() -> None:
    assert sorted(p.stem for p in MESSAGES.glob("*.json")) == ["de", "en", "fr", "nl"]
    done = _check(MESSAGES)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda t: t.pop("welcome.start"), "nl: missing welcome.start"),
        (lambda t: t.update({"welcome.extra": "Extra"}), "nl: welcome.extra is not in en.json"),
        (
            lambda t: t.update({"receipt.body": "{organisation} heeft uw verhaal ontvangen."}),
            "nl: receipt.body lacks the placeholder(s) title",
        ),
        (
            lambda t: t.update({"welcome.usesLeft": "Nog {n} keer."}),
            "nl: welcome.usesLeft lacks the placeholder(s) count",
        ),
        (lambda t: t.update({"welcome.start": "Begin {"}), "nl: welcome.start does not parse"),
    ],
)
def test_a_broken_language_file_is_refused(tmp_path: Path, change, said: str) -> None:  # type: ignore[no-untyped-def]
    for path in MESSAGES.glob("*.json"):
        shutil.copyfile(path, tmp_path / path.name)
    table = json.loads((tmp_path / "nl.json").read_text())
    change(table)
    (tmp_path / "nl.json").write_text(json.dumps(table, ensure_ascii=False))
    done = _check(tmp_path)
    assert done.returncode == 1
    assert said in done.stdout


def test_every_message_the_code_asks_for_exists() -> None:
    english = json.loads((MESSAGES / "en.json").read_text())
    used: set[str] = set()
    for path in (APP / "src").glob("*.js"):
        used |= set(re.findall(r'\bt\("([a-zA-Z.]+)"', path.read_text()))
    assert len(used) > 80, "few messages found: has the t() helper been renamed?"
    assert sorted(used - set(english)) == []


def test_a_missing_message_falls_back_to_english_never_to_its_key() -> None:
    """The page's own i18n.js, bundled with a Dutch file that lacks one message."""
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    script = Path(__file__).with_name("fallback.mjs")
    done = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)
    assert said == {
        "missing": "Start",
        "present": "Verder",
        "unknown": "",
        "plural": "Deze link kan nog één keer gebruikt worden.",
    }
