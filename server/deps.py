"""Dependencies injected into routes.

Those that only read ``app.state`` are ``async``: FastAPI runs a plain function dependency in
the thread pool, a hop (and a wait for a free thread under load) that cost more than the
lookup itself. What does I/O (ending the database session, the caller) runs there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from media.blobs import BlobStore
from server.auth import sessions, tokens
from server.auth.access import Caller, Member, organisation_for
from server.auth.capabilities import BundleCapabilities
from server.auth.codes import AccessCodes
from server.auth.ratelimit import Limiter
from server.db.models import Role
from server.db.session import Database
from server.errors import Unauthorized
from server.jobs import Jobs
from server.public_url import public_base
from server.settings import Settings
from trails.bundle.signing import Keyring
from trails.messages import msg


async def get_database(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.database
    return db


async def get_session(db: Annotated[Database, Depends(get_database)]) -> AsyncIterator[Session]:
    """A session per request, committed when the route returns without error.

    Beginning it does no I/O (the connection is taken at its first query), so it begins here,
    without a trip to the thread pool; its end (commit or rollback, then close) takes one.
    """
    transaction = db.transaction()
    session = transaction.__enter__()
    try:
        yield session
    except BaseException as exc:
        await _ended(transaction.__exit__, type(exc), exc, exc.__traceback__)
        raise
    await _ended(transaction.__exit__, None, None, None)


async def _ended(end: Callable[..., object], *args: Any) -> None:
    # Not behind the thread pool's limit: when every thread is taken by a route waiting for a
    # pooled connection, a session waiting for a thread to give its connection back would
    # never get one (64 downloads at once stalled so). FastAPI ends its own context managers
    # the same way.
    await anyio.to_thread.run_sync(end, *args, limiter=anyio.CapacityLimiter(1))


async def get_blobs(request: Request) -> BlobStore:
    """The application's blob store."""
    blobs: BlobStore = request.app.state.blobs
    return blobs


async def get_keyring(request: Request) -> Keyring:
    """The keyring that signs bundle manifests."""
    ring: Keyring = request.app.state.keyring
    return ring


DatabaseDep = Annotated[Database, Depends(get_database)]
BlobsDep = Annotated[BlobStore, Depends(get_blobs)]
KeyringDep = Annotated[Keyring, Depends(get_keyring)]
# Committed when the route returns, before the answer is sent: a client never reads an answer
# whose writes are not yet stored, and a download does not hold a connection while it streams.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_settings(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_jobs(request: Request) -> Jobs:
    """The application's job queue."""
    jobs: Jobs = request.app.state.jobs
    return jobs


def state(name: str) -> Any:
    """A dependency giving ``app.state.<name>``, an object made once at start-up."""

    async def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    dependency.__doc__ = f"The application's {name.replace('_', ' ')}."
    return dependency


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_public_base(request: Request, settings: SettingsDep) -> str:
    """The address links, QR codes and posters start with (``server.public_url``)."""
    return public_base(request, settings)


PublicBaseDep = Annotated[str, Depends(get_public_base)]
JobsDep = Annotated[Jobs, Depends(get_jobs)]
# The guessing limits (counted in the database, shared by every replica) and access codes.
LimiterDep = Annotated[Limiter, Depends(state("sign_in_limiter"))]
CodeLimiterDep = Annotated[Limiter, Depends(state("access_code_limiter"))]
WithdrawalLimiterDep = Annotated[Limiter, Depends(state("withdrawal_code_limiter"))]
AccessCodesDep = Annotated[AccessCodes, Depends(state("access_codes"))]
CapabilitiesDep = Annotated[BundleCapabilities, Depends(state("bundle_capabilities"))]


def get_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    authorization: Annotated[
        str | None, Header(description="`Bearer <token>` from `POST /v1/auth/tokens`.")
    ] = None,
) -> Caller:
    """The signed-in caller, from the bearer token or the studio's session cookie.

    401 without a valid one; 403 when the cookie comes with an unsafe request that the
    studio's own pages did not make (see ``server.auth.sessions``).
    """
    scheme, _, raw = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        row = tokens.resolve(session, raw.strip())
        return Caller(row.user, row)
    cookie = sessions.session_token(request, settings)
    if authorization or cookie is None:
        raise Unauthorized(msg("sign in first: send 'Authorization: Bearer <token>'"))
    if request.method not in sessions.SAFE_METHODS:
        sessions.require_same_origin(request, settings)
    row = tokens.resolve(session, cookie)
    return Caller(row.user, row)


CallerDep = Annotated[Caller, Depends(get_caller)]


def _member(minimum: Role) -> Any:
    def dependency(org: str, caller: CallerDep, session: SessionDep) -> Member:
        return organisation_for(session, caller.user, org, minimum)

    dependency.__doc__ = f"The caller as a member of the organisation, at least {minimum.value}."
    return dependency


ContributorDep = Annotated[Member, Depends(_member(Role.contributor))]
EditorDep = Annotated[Member, Depends(_member(Role.editor))]
OwnerDep = Annotated[Member, Depends(_member(Role.owner))]
IfMatch = Annotated[
    str | None, Header(description="The ETag you last read; required to change an object.")
]
