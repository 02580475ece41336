"""The web apps' interface messages (web/<app>/messages/*.json, ICU MessageFormat): every
language has English's keys and placeholders, every message the code asks for exists, and a
missing one falls back to English (checked by the apps' own shared i18n helper)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.browser import tool_unavailable

WEB = Path(__file__).resolve().parents[1] / "web"
CHECK = WEB / "i18n" / "tools" / "check-messages.mjs"
FALLBACK = Path(__file__).resolve().parent / "support" / "i18n_fallback.mjs"
# Each app with messages, and how many keys its code asks for at the least (a floor that
# catches a renamed t() helper finding nothing).
APPS = {"player": 70, "contribute": 80, "studio": 500}


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    return str(node)


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_node(), str(CHECK), str(folder)], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("app", APPS)
def test_the_four_languages_agree_with_english(app: str) -> None:
    messages = WEB / app / "messages"
    assert sorted(p.stem for p in messages.glob("*.json")) == ["de", "en", "fr", "nl"]
    done = _check(messages)
    assert done.returncode == 0, done.stdout + done.stderr


Change = Callable[[dict[str, str]], object]
BROKEN: list[tuple[str, Change, str]] = [
    ("contribute", lambda t: t.pop("welcome.start"), "nl: missing welcome.start"),
    (
        "contribute",
        lambda t: t.update({"welcome.extra": "Extra"}),
        "nl: welcome.extra is not in en.json",
    ),
    (
        "contribute",
        lambda t: t.update({"receipt.body": "{organisation} heeft uw verhaal ontvangen."}),
        "nl: receipt.body lacks the placeholder(s) title",
    ),
    (
        "contribute",
        lambda t: t.update({"welcome.usesLeft": "Nog {n} keer."}),
        "nl: welcome.usesLeft lacks the placeholder(s) count",
    ),
    (
        "contribute",
        lambda t: t.update({"welcome.start": "Begin {"}),
        "nl: welcome.start does not parse",
    ),
    ("player", lambda t: t.pop("startWalk"), "nl: missing startWalk"),
    ("studio", lambda t: t.pop("publish"), "nl: missing publish"),
    (
        "studio",
        lambda t: t.update(
            {"importCreate": "Maak {count, plural, one {# halte} other {# haltes}}"}
        ),
        "nl: importCreate lacks the placeholder(s) n",
    ),
    (
        "studio",
        lambda t: t.update({"approvedDone": "Goedgekeurd."}),
        "nl: approvedDone lacks the placeholder(s) title",
    ),
    (
        "studio",
        lambda t: t.update({"audienceTotal": "{count, plural, other {# downloads}}"}),
        "nl: audienceTotal lacks the placeholder(s) range",
    ),
    (
        "studio",
        lambda t: t.update({"stopsAdded": "{n, plural, one {# halte} other {# haltes} toegevoegd"}),
        "nl: stopsAdded does not parse",
    ),
    (
        "player",
        lambda t: t.update({"guideLine": "Halte {n}: {d}"}),
        "nl: guideLine lacks the placeholder(s) w",
    ),
    (
        "player",
        lambda t: t.update({"storage": "Gebruikt: {size}"}),
        "nl: storage has unknown placeholder(s) size",
    ),
]


@pytest.mark.parametrize(("app", "change", "said"), BROKEN)
def test_a_broken_language_file_is_refused(
    tmp_path: Path, app: str, change: Change, said: str
) -> None:
    for path in (WEB / app / "messages").glob("*.json"):
        shutil.copyfile(path, tmp_path / path.name)
    table = json.loads((tmp_path / "nl.json").read_text())
    change(table)
    (tmp_path / "nl.json").write_text(json.dumps(table, ensure_ascii=False))
    done = _check(tmp_path)
    assert done.returncode == 1
    assert said in done.stdout


@pytest.mark.parametrize(("app", "floor"), APPS.items())
def test_every_message_the_code_asks_for_exists(app: str, floor: int) -> None:
    english = json.loads((WEB / app / "messages" / "en.json").read_text())
    used: set[str] = set()
    for path in (WEB / app / "src").glob("*.js"):
        used |= set(re.findall(r'\bt\("([a-zA-Z0-9_.]+)"', path.read_text()))
    assert len(used) > floor, "few messages found: has the t() helper been renamed?"
    assert sorted(used - set(english)) == []


@pytest.mark.parametrize("app", APPS)
def test_every_family_of_keys_the_code_builds_exists(app: str) -> None:
    """A key the code builds (t(`vis_${trail.visibility}`)) has English messages by its prefix."""
    english = json.loads((WEB / app / "messages" / "en.json").read_text())
    prefixes: set[str] = set()
    for path in (WEB / app / "src").glob("*.js"):
        prefixes |= set(re.findall(r"\bt\(`([a-zA-Z0-9_.]+)\$\{", path.read_text()))
    missing = sorted(p for p in prefixes if not any(key.startswith(p) for key in english))
    assert missing == []


Call = tuple[str, dict[str, object]] | tuple[str, dict[str, object], str]


def _fallback(app: str, lang: str, dropped: str, calls: list[Call]) -> list[str]:
    done = subprocess.run(
        [_node(), str(FALLBACK), str(WEB / app), lang, dropped, json.dumps(calls)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def test_a_missing_contribute_message_falls_back_to_english_never_to_its_key() -> None:
    said = _fallback(
        "contribute",
        "nl",
        "welcome.start",
        [
            ("welcome.start", {}),
            ("common.continue", {}),
            ("no.such.message", {}),
            ("welcome.usesLeft", {"count": 1}),
        ],
    )
    assert said == ["Start", "Verder", "", "Deze link kan nog één keer gebruikt worden."]


@pytest.mark.parametrize("lang", ["nl", "de", "fr"])
def test_a_missing_player_message_falls_back_to_english_never_to_its_key(lang: str) -> None:
    said = _fallback(
        "player",
        lang,
        "startWalk",
        [("startWalk", {}), ("stopCount", {"n": 1}), ("stopCount", {"n": 3}), ("no.such", {})],
    )
    one, three = {
        "nl": ("1 halte", "3 haltes"),
        "de": ("1 Station", "3 Stationen"),
        "fr": ("1 arrêt", "3 arrêts"),
    }[lang]
    assert said == ["Start the walk", one, three, ""]


@pytest.mark.parametrize("lang", ["nl", "de", "fr"])
def test_a_missing_studio_message_falls_back_to_english_never_to_its_key(lang: str) -> None:
    said = _fallback(
        "studio",
        lang,
        "publish",
        [
            ("publish", {}),
            ("importCreate", {"n": 1}),
            ("importCreate", {"n": 3}),
            ("no.such", {}),
            # A state the server added after this studio was built shows as the server says it.
            ("inv_paused", {}, "paused"),
            ("inv_revoked", {}, "revoked"),
        ],
    )
    one, three, revoked = {
        "nl": ("1 halte aanmaken", "3 haltes aanmaken", "Ingetrokken"),
        "de": ("1 Station anlegen", "3 Stationen anlegen", "Widerrufen"),
        "fr": ("Créer 1 arrêt", "Créer 3 arrêts", "Révoqué"),
    }[lang]
    assert said == ["Publish", one, three, "", "paused", revoked]
