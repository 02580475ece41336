"""Sign in and out, and who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select

from server.accounts import canonical_email
from server.auth import tokens
from server.auth.passwords import verify_password
from server.db.models import User
from server.deps import CallerDep, LimiterDep, SessionDep, SettingsDep
from server.errors import Unauthorized
from server.schemas.accounts import MePublic, SignIn, TokenPublic
from server.schemas.problem import Problem

router = APIRouter(prefix="/v1", tags=["accounts"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Wrong credentials, or no valid token"},
    429: {"model": Problem, "description": "Too many failed sign-ins"},
}


@router.post("/auth/tokens", status_code=201, response_model=TokenPublic, responses=PROBLEMS)
def sign_in(
    body: SignIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> TokenPublic:
    """Exchange an email and password for a bearer token that expires."""
    email = canonical_email(body.email)
    address = request.client.host if request.client else "unknown"
    keys = (f"account:{email}", f"address:{address}")
    limiter.check(*keys)
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if not verify_password(user.password_hash if user else None, body.password) or user is None:
        limiter.failed(*keys)
        raise Unauthorized("wrong email or password")
    limiter.succeeded(keys[0])
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
