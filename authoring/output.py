"""How commands print: rich for people, JSON for scripts, one line for errors.

Every text for people goes through :func:`say` (``authoring/language.py``): a marked
message is printed in the language of the environment. Texts are printed as text, never
as rich markup, since they hold names people chose (``[stop]``, file names).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from authoring.language import say
from trails.errors import DomainError, InvalidInput
from trails.messages import Message, msg

console = Console()
err_console = Console(stderr=True)


def localised(data: Any) -> Any:
    """``data`` with every marked message in it rendered in the command's language."""
    if isinstance(data, Message):
        return say(data)
    if isinstance(data, dict):
        return {key: localised(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [localised(value) for value in data]
    return data


def emit_json(data: Any) -> None:
    """Print a JSON document on standard output; keys and codes stay, texts are translated."""
    text = json.dumps(localised(data), ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(text + "\n")


def show(text: str, *, err: bool = False) -> None:
    """Print one text for people (a message is translated), as text, on stdout or stderr."""
    (err_console if err else console).print(
        say(text), highlight=False, markup=False, soft_wrap=True
    )


def labelled(label: Message, text: str, style: str, *, err: bool = True) -> None:
    """Print ``label`` in ``style`` before a text ("warning: ..."), both translated."""
    line = Text.assemble((say(label), style), " ", say(text))
    (err_console if err else console).print(line, highlight=False, soft_wrap=True)


def warn(text: str) -> None:
    """Print a warning on standard error."""
    labelled(msg("warning:"), text, "yellow")


def report_error(exc: DomainError, as_json: bool) -> None:
    """Print a domain error on standard error: one line, or a JSON object with ``--json``."""
    if as_json:
        payload: dict[str, Any] = {"error": exc.title, "detail": _detail(exc)}
        code = getattr(exc, "code", None)
        if isinstance(code, str):
            payload["code"] = code
        if isinstance(exc, InvalidInput):
            payload["errors"] = [localised(e.as_dict()) for e in exc.errors]
        sys.stderr.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    labelled(msg("error:"), _detail(exc), "bold red")


def _detail(exc: DomainError) -> str:
    # A detail summed up from field errors is made again from them, each one translated.
    if isinstance(exc, InvalidInput) and exc.summed_up:
        return "; ".join(f"{e.field}: {say(e.message)}" for e in exc.errors)
    return say(exc.detail)


def run_app(app: typer.Typer, args: list[str], prog_name: str) -> None:
    """Run a command line; our own errors become one clear line (or a JSON object) and exit 1.

    Typer handles usage errors itself (exit 2); only domain errors reach here.
    """
    try:
        app(args=args, prog_name=prog_name)
    except DomainError as exc:
        report_error(exc, "--json" in args)
        sys.exit(1)
