"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from server import problems
from server.db.session import Database
from server.routes import health, trails
from server.settings import Settings


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the application; the database is opened (and checked) at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        app.state.database = database or Database.from_settings(settings)
        try:
            yield
        finally:
            if owned:
                app.state.database.dispose()

    app = FastAPI(
        title="Baladeur",
        version="0.1.0",
        summary="Geolocated, immersive audio trails: authoring, publishing and offline bundles.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    problems.install(app)
    app.include_router(health.router)
    app.include_router(trails.router)
    return app
