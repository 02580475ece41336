"""Sign in and out, and who am I."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server.auth import tokens
from server.auth.passwords import verify_password
from server.auth.ratelimit import Attempt, client_address
from server.db.models import User
from server.deps import CallerDep, LimiterDep, SessionDep, SettingsDep
from server.errors import Unauthorized
from server.schemas.accounts import MePublic, SignIn, TokenPublic
from server.schemas.problem import Problem
from server.settings import Settings

router = APIRouter(prefix="/v1", tags=["accounts"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Wrong credentials, or no valid token"},
    429: {"model": Problem, "description": "Too many sign-in attempts"},
}


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
    email = body.email.strip().lower()
    # Counted before the password is checked, so concurrent guesses cannot pass the limit.
    attempt = await run_in_threadpool(limiter.attempt, f"account:{email}", client_address(request))
    if attempt.delay_s:
        # Waited here, outside the thread pool: a slowed account holds no worker thread.
        await asyncio.sleep(attempt.delay_s)
    return await run_in_threadpool(_sign_in, session, settings, attempt, email, body.password)


def _sign_in(
    session: Session, settings: Settings, attempt: Attempt, email: str, password: str
) -> TokenPublic:
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized("wrong email or password")
    attempt.succeeded()
    raw, row = tokens.issue(session, user, settings.token_ttl_s)
    return TokenPublic(token=raw, expires_at=row.expires_at)


@router.delete("/auth/tokens/current", status_code=204, responses=PROBLEMS)
def sign_out(caller: CallerDep) -> Response:
    """Revoke the token used for this request."""
    tokens.revoke(caller.token)
    return Response(status_code=204)


@router.get("/me", response_model=MePublic, responses=PROBLEMS)
def me(caller: CallerDep) -> MePublic:
    """The signed-in user and their organisations."""
    return MePublic.of(caller.user)
