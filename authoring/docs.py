"""Generate ``docs/cli.md`` from the ``--help`` of every command: ``python -m authoring.docs``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.main import get_command_name
from typer.testing import CliRunner

from authoring.cli import app

DOCS_FILE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
WIDTH = 100
# A fixed width and no colours, so that the page is the same on every machine.
_ENV = {"COLUMNS": str(WIDTH), "TERMINAL_WIDTH": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}

HEADER = """\
# The `baladeur` command line

This page is generated from the `--help` of every command by `python -m authoring.docs
--write` (`make cli-docs`); a test fails when it no longer matches. Do not edit it by hand.

Every command exits with 0 when it succeeded, 1 when it refused (the reason is printed as
one line on standard error, or as a JSON object with `--json`), and 2 on a usage error.

The command speaks French, Dutch, English or German, as the environment asks: `LANGUAGE`
(a list such as `de:fr`), then `LC_ALL`, `LC_MESSAGES`, `LANG` (`LANG=nl_BE.UTF-8`); `C`,
`POSIX` and any other language give English. Results, refusals and warnings are translated,
and so are the texts for people in `--json` output; codes, field names and JSON keys never
are. `LANGUAGE=en` (or `LC_ALL=C`) gives English whatever the locale. The help below is
English. See [translating.md](translating.md#the-command-line).
"""


def command_paths(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and command group of the CLI, as argument paths, sorted."""
    paths: list[tuple[str, ...]] = []
    for command in group.registered_commands:
        callback = command.callback
        name = command.name or (get_command_name(callback.__name__) if callback else None)
        if name and not command.hidden:
            paths.append((*prefix, name))
    for sub in group.registered_groups:
        if sub.name and sub.typer_instance is not None and not sub.hidden:
            paths.append((*prefix, sub.name))
            paths += command_paths(sub.typer_instance, (*prefix, sub.name))
    return sorted(paths)


def help_text(path: tuple[str, ...]) -> str:
    """The ``--help`` output of one command, without trailing spaces."""
    result = CliRunner().invoke(app, [*path, "--help"], env=_ENV, prog_name="baladeur")
    if result.exit_code != 0:
        raise RuntimeError(f"baladeur {' '.join(path)} --help failed: {result.output}")
    lines = [line.rstrip() for line in result.output.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def render() -> str:
    """The whole of ``docs/cli.md``."""
    sections = [HEADER]
    for path in [(), *command_paths(app)]:
        title = " ".join(("baladeur", *path))
        sections.append(f"## `{title}`\n\n```text\n{help_text(path)}```\n")
    return "\n".join(sections)


def main() -> None:
    """Print the page, or write it to ``docs/cli.md`` with ``--write``."""
    text = render()
    if "--write" in sys.argv[1:]:
        DOCS_FILE.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
