"""The FastAPI application factory."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from media.blobs import BlobStore
from server import problems, scheduler, security, webapps
from server.admission import Admission
from server.auth.capabilities import BundleCapabilities
from server.auth.codes import AccessCodes
from server.auth.ratelimit import AttemptCounters, Limiter, Policy
from server.blobs import make_blob_store
from server.bodylimits import BodyLimits
from server.db.session import Database
from server.head import HeadLikeGet
from server.jobs import Jobs, start_embedded
from server.keys import keyring as keyring_from
from server.requestlog import RequestLog
from server.routes import (
    ambience,
    assets,
    audience,
    auth,
    changes,
    checks,
    consents,
    contributions,
    covers,
    delivery,
    edits,
    health,
    invitation_uploads,
    invitations,
    listen,
    member_invitations,
    members,
    objects,
    org_trails,
    organisations,
    places,
    releases,
    renders,
    sharing,
    sources,
    stop_imports,
    stops,
    stories,
    trails,
    transcripts,
    uploads,
    withdrawals,
)
from server.settings import Settings
from server.visitor_reads import open_lane
from trails.bundle.signing import Keyring
from trails.versions import API_VERSION


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    blobs: BlobStore | None = None,
    jobs: Jobs | None = None,
    keys: Keyring | None = None,
) -> FastAPI:
    """Build the application; the database and storage are opened (and checked) at start-up.

    In the embedded mode job workers run as threads of this process.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        app.state.database = database or Database.from_settings(settings)
        app.state.blobs = blobs or make_blob_store(settings)
        app.state.keyring = keys or keyring_from(settings)
        # The signing key exists from the first start, so its public half can be published.
        app.state.keyring.current()
        secret = settings.resolved_secret_key()
        app.state.access_codes = AccessCodes(secret)
        app.state.bundle_capabilities = BundleCapabilities(secret)
        counters = AttemptCounters(app.state.database.engine, secret)
        app.state.sign_in_limiter = Limiter(
            counters, Policy("sign-in", settings.sign_in_attempts, settings.sign_in_window_s)
        )
        # No delay for access codes: visitors' routes are synchronous, and a code is cheap
        # to check; a hot trail still allows only a few tries per address.
        app.state.access_code_limiter = Limiter(
            counters,
            Policy(
                "access-code",
                settings.access_code_attempts,
                settings.access_code_window_s,
                max_delay_s=0,
            ),
        )
        # Residents' withdrawal codes: guessed like access codes, limited alike per address.
        app.state.withdrawal_code_limiter = Limiter(
            counters,
            Policy(
                "withdrawal-code",
                settings.access_code_attempts,
                settings.access_code_window_s,
                max_delay_s=0,
            ),
        )
        app.state.jobs = jobs or Jobs(settings, database=app.state.database, blobs=app.state.blobs)
        stop_workers = None
        if jobs is None and settings.inprocess_worker:
            stop_workers = start_embedded(app.state.jobs, settings.workers or os.cpu_count() or 1)
        stop_clock = scheduler.start(app.state.database, settings, app.state.blobs)
        open_lane(settings.visitor_read_threads)
        try:
            yield
        finally:
            stop_clock()
            if stop_workers is not None:
                stop_workers()
            if owned:
                app.state.database.dispose()

    app = FastAPI(
        title="Baladeur",
        version=API_VERSION,
        summary="Geolocated, immersive audio trails: authoring, publishing and offline bundles.",
        lifespan=lifespan,
        # Our own /docs (server.webapps) instead of FastAPI's pages, which load from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    problems.install(app)
    # Every body is checked before it is read and capped by its route's limit.
    app.add_middleware(BodyLimits)
    # HEAD wherever GET is served, without the body (inside the log, which records HEAD).
    app.add_middleware(HeadLikeGet)
    security.install(app, settings)
    app.add_middleware(RequestLog)
    # Outside the rest: a request waiting for a place holds no handling stack yet.
    app.add_middleware(Admission)
    app.include_router(health.router)
    app.include_router(trails.router)
    app.include_router(delivery.router)
    for router in (
        auth,
        organisations,
        members,
        member_invitations,
        sources,  # before the trail routes: its by-slug paths must win
        org_trails,
        covers,
        stop_imports,  # before the stop routes: /stops/import is not a stop id
        stops,
        places,
        objects,
        ambience,
        audience,
        checks,
        changes,
        assets,
        edits,
        transcripts,
        listen,
        uploads,
        stories,
        consents,
        contributions,
        invitations,
        invitation_uploads,
        withdrawals,
        releases,
        renders,
        sharing,
    ):
        app.include_router(router.router)
    webapps.mount(app)
    return app
