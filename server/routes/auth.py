"""Sign in and out, and who am I."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server.accounts import canonical_email
from server.auth import sessions, tokens
from server.auth.passwords import verify_password
from server.auth.ratelimit import Attempt, Limiter, client_address
from server.db.models import User
from server.deps import CallerDep, LimiterDep, SessionDep, SettingsDep
from server.errors import Unauthorized
from server.schemas.accounts import MePublic, SessionPublic, SignIn, TokenPublic
from server.schemas.problem import Problem
from trails.messages import msg

router = APIRouter(prefix="/v1", tags=["accounts"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Wrong credentials, or no valid token"},
    429: {"model": Problem, "description": "Too many sign-in attempts"},
}
# The studio's cookie (set by signing in, used to sign out) is refused to other sites.
SESSION_PROBLEMS = {**PROBLEMS, 403: {"model": Problem, "description": "Not from this site"}}


async def authenticate(body: SignIn, request: Request, session: Session, limiter: Limiter) -> User:
    """The user whose email and password these are; 401 or 429 otherwise.

    Attempts are limited per client address and per account (429 with ``Retry-After``); an
    account under attack from many addresses answers after a delay, never with a wall.
    """
    email = canonical_email(body.email)
    # Counted before the password is checked, so concurrent guesses cannot pass the limit.
    attempt = await run_in_threadpool(limiter.attempt, f"account:{email}", client_address(request))
    if attempt.delay_s:
        # Waited here, outside the thread pool: a slowed account holds no worker thread.
        await asyncio.sleep(attempt.delay_s)
    return await run_in_threadpool(_check_password, session, attempt, email, body.password)


def _check_password(session: Session, attempt: Attempt, email: str, password: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized(msg("wrong email or password"))
    attempt.succeeded()
    return user


@router.post("/auth/tokens", status_code=201, response_model=TokenPublic, responses=PROBLEMS)
async def sign_in(
    body: SignIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> TokenPublic:
    """Exchange an email and password for a bearer token that expires.

    Attempts are limited per client address and per account (429 with ``Retry-After``); an
    account under attack from many addresses answers after a delay, never with a wall.
    """
    user = await authenticate(body, request, session, limiter)
    raw, row = await run_in_threadpool(tokens.issue, session, user, settings.token_ttl_s)
    return TokenPublic(token=raw, expires_at=row.expires_at)


@router.post("/auth/session", status_code=201, responses=SESSION_PROBLEMS)
async def start_session(
    body: SignIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> SessionPublic:
    """Sign the studio in: the token goes into an HttpOnly cookie, never into the answer.

    Send the ``X-Baladeur-CSRF`` header, from a page of this server; programs use
    ``POST /v1/auth/tokens`` instead. Attempts count under the same limits as there.
    """
    sessions.require_same_origin(request, settings)
    user = await authenticate(body, request, session, limiter)
    raw, row = await run_in_threadpool(tokens.issue, session, user, settings.session_ttl_s)
    sessions.set_session_cookie(request, response, settings, raw, row.expires_at)
    return SessionPublic(expires_at=row.expires_at)


@router.delete("/auth/tokens/current", status_code=204, responses=SESSION_PROBLEMS)
def sign_out(request: Request, caller: CallerDep, settings: SettingsDep) -> Response:
    """Revoke the token used for this request (bearer or the studio's cookie)."""
    tokens.revoke(caller.token)
    response = Response(status_code=204)
    sessions.clear_session_cookie(request, response, settings)
    return response


@router.get("/me", response_model=MePublic, responses=PROBLEMS)
def me(caller: CallerDep) -> MePublic:
    """The signed-in user and their organisations."""
    return MePublic.of(caller.user)
