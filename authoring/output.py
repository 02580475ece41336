"""How commands print: rich for people, JSON for scripts, one line for errors."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

from trails.errors import DomainError, InvalidInput

console = Console()
err_console = Console(stderr=True)


def emit_json(data: Any) -> None:
    """Print a JSON document on standard output."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def report_error(exc: DomainError, as_json: bool) -> None:
    """Print a domain error on standard error: one line, or a JSON object with ``--json``."""
    if as_json:
        payload: dict[str, Any] = {"error": exc.title, "detail": exc.detail}
        code = getattr(exc, "code", None)
        if isinstance(code, str):
            payload["code"] = code
        if isinstance(exc, InvalidInput):
            payload["errors"] = [e.as_dict() for e in exc.errors]
        sys.stderr.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    err_console.print(f"[bold red]error:[/] {exc.detail}", highlight=False, soft_wrap=True)


def run_app(app: typer.Typer, args: list[str], prog_name: str) -> None:
    """Run a command line; our own errors become one clear line (or a JSON object) and exit 1.

    Typer handles usage errors itself (exit 2); only domain errors reach here.
    """
    try:
        app(args=args, prog_name=prog_name)
    except DomainError as exc:
        report_error(exc, "--json" in args)
        sys.exit(1)
