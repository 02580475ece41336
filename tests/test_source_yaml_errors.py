"""trail.yaml values the YAML loader fails on outside its own errors (found by fuzzing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trails.checks import check_folder
from trails.errors import InvalidInput
from trails.source import SOURCE_FILE, load_source

CASES = [
    ("valid_from: 2026-13-45\n", "month must be in 1..12"),
    ("valid_from: 2026-02-30\n", "day is out of range"),
    ("slug: !!int x\n", "invalid literal"),
    ("slug: !!timestamp x\n", "not readable YAML"),
    ("route: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
]


@pytest.mark.parametrize(("text", "reason"), CASES)
def test_a_value_the_loader_cannot_build_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / SOURCE_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match="not readable YAML") as caught:
        load_source(tmp_path)
    assert reason in str(caught.value.errors[0])


@pytest.mark.parametrize(("text", "reason"), CASES)
def test_checking_such_a_folder_reports_it(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / SOURCE_FILE).write_text(text, encoding="utf-8")
    items = check_folder(tmp_path)
    assert [item.code for item in items] == ["invalid-source"]
    assert reason in items[0].message
