"""docs/cli.md is generated from --help and must not drift from it."""

from __future__ import annotations

from authoring.cli import app
from authoring.docs import DOCS_FILE, command_paths, render


def test_cli_reference_is_up_to_date() -> None:
    assert DOCS_FILE.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is out of date: run `make cli-docs` (python -m authoring.docs --write)"
    )


def test_every_command_is_documented_with_exit_codes() -> None:
    text = DOCS_FILE.read_text(encoding="utf-8")
    paths = command_paths(app)
    for path in paths:
        assert f"## `baladeur {' '.join(path)}`" in text
    for command in ("init", "import", "export", "convert"):
        section = text.split(f"## `baladeur {command}`")[1].split("\n## ")[0]
        assert "Exit codes: 0 done, 1 refused" in section, command
        assert "--json" in section, command
