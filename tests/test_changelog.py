"""CHANGELOG.md keeps the shape of Keep a Changelog and speaks of the current version."""

from __future__ import annotations

import re
from pathlib import Path

from trails.versions import PACKAGE_VERSION

CHANGELOG = Path(__file__).resolve().parent.parent / "CHANGELOG.md"
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def _headings(level: int) -> list[str]:
    marks = "#" * level
    return re.findall(rf"^{marks} (.+)$", CHANGELOG.read_text(), flags=re.MULTILINE)


def test_title_and_unreleased_section_first() -> None:
    assert _headings(1) == ["Changelog"]
    releases = _headings(2)
    assert releases and releases[0] == "[Unreleased]"
    # Released versions below it, newest first, as [x.y.z] - date.
    for heading in releases[1:]:
        assert re.fullmatch(r"\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", heading), heading


def test_change_kinds_are_the_usual_ones() -> None:
    unreleased = CHANGELOG.read_text().split("## [Unreleased]", 1)[1].split("\n## ", 1)[0]
    kinds = re.findall(r"^### (.+)$", unreleased, flags=re.MULTILINE)
    assert kinds and set(kinds) <= KINDS
    assert len(kinds) == len(set(kinds))
    # Every kind has at least one entry.
    for part in unreleased.split("\n### ")[1:]:
        assert "\n- " in part, part.splitlines()[0]


def test_mentions_the_current_version() -> None:
    unreleased = CHANGELOG.read_text().split("## [Unreleased]", 1)[1].split("\n## ", 1)[0]
    assert f"version {PACKAGE_VERSION}" in unreleased
