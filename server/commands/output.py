"""How the server's commands print: rich for people, JSON for scripts.

The same conventions as the authoring commands' (``authoring/output.py``): the server's
commands are part of the one ``baladeur`` command but may not import the authoring side.
Errors are printed by the ``baladeur`` command itself, for every command.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def emit_json(data: Any) -> None:
    """Print a JSON document on standard output."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def report_dropped(dropped: list[str], quiet: bool) -> None:
    """Tell people what a conversion left out (scripts read it from the JSON)."""
    if not quiet:
        for item in dropped:
            err_console.print(f"[yellow]not kept:[/] {item}", highlight=False, soft_wrap=True)
