"""The visitor player web app, served at /play."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Serve the player's static assets at /play (filled in by the player work)."""
