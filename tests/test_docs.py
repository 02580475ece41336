"""The README stays true: its settings table and commands match the code."""

from __future__ import annotations

import re
from pathlib import Path

from server.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = set(re.findall(r"`(BALADEUR_[A-Z0-9_]+)`", README))
    actual = {f"BALADEUR_{name.upper()}" for name in Settings.model_fields}
    assert documented == actual


def test_quick_start_is_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = quick_start.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_documented_cli_commands_exist() -> None:
    from authoring.cli import app

    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    documented = set(re.findall(r"^baladeur ([a-z]+)", README, flags=re.MULTILINE))
    assert documented and documented <= names
