"""``baladeur serve``: run the HTTP server."""

from __future__ import annotations

import os

import typer

from server.commands.output import console
from server.db.session import Database
from server.logs import configure
from server.settings import Settings


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(
        int(os.environ.get("PORT", "8000")), help="Port (default: $PORT or 8000)."
    ),
) -> None:
    """Serve the API, the studio (/studio) and the visitor player (/play) until interrupted."""
    # Imported here: every `baladeur` command, even `--help`, would load the whole app.
    import uvicorn

    from server.app import create_app
    from server.serving import uvicorn_options

    settings = Settings()
    configure(settings.log_level, settings.log_format)
    # Fail here, with a clear message, rather than inside the server's start-up.
    Database.from_settings(settings).dispose()
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    console.print("[bold]Baladeur[/] is starting:")
    console.print(f"  studio (authors)     {base}/studio", highlight=False, soft_wrap=True)
    admin_file = settings.resolved_data_dir / "first-admin.txt"
    if admin_file.exists():
        console.print(
            f"                       sign in with the account in {admin_file}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"  player (visitors)    {base}/play", highlight=False, soft_wrap=True)
    console.print(f"  trails (public API)  {base}/v1/trails", highlight=False, soft_wrap=True)
    console.print(
        f"  demo trail           {base}/v1/trails/moulin-de-marchienne",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  demo bundle          {base}/v1/trails/moulin-de-marchienne/bundle", highlight=False
    )
    console.print(f"  API documentation    {base}/docs", highlight=False, soft_wrap=True)
    console.print(f"  health               {base}/healthz", highlight=False, soft_wrap=True)
    uvicorn.run(
        create_app(settings), host=host, port=port, log_config=None, **uvicorn_options(settings)
    )
