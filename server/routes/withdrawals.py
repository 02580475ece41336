"""A resident's own withdrawal, no account: the code travels in the JSON body, never a URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from server import resident_withdrawals
from server.auth.ratelimit import Limiter, client_address
from server.auth.tokens import token_hash
from server.deps import BlobsDep, DatabaseDep, KeyringDep, PublicBaseDep, WithdrawalLimiterDep
from server.schemas.problem import Problem
from server.schemas.withdrawals import (
    ReceiptRequest,
    WithdrawalCode,
    WithdrawalDone,
    WithdrawalStatus,
)
from server.sharing.resident_sheets import Receipt, withdrawal_receipt_pdf

router = APIRouter(prefix="/v1/withdrawals", tags=["withdrawals"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No story with this withdrawal code"},
    422: {"model": Problem, "description": "Invalid input"},
    429: {"model": Problem, "description": "Too many withdrawal-code attempts"},
}
T = TypeVar("T")


async def _guarded(request: Request, limiter: Limiter, code: str, call: Callable[[], T]) -> T:
    """Count a guess at a code before it is looked up; a right code gives its attempt back."""
    attempt = await run_in_threadpool(
        limiter.attempt, f"withdrawal:{token_hash(code)}", client_address(request)
    )
    # A wrong code (404) stays counted against the address.
    result = await run_in_threadpool(call)
    await run_in_threadpool(attempt.succeeded)
    return result


@router.post("/status", response_model=WithdrawalStatus, responses=PROBLEMS)
async def withdrawal_status(
    body: WithdrawalCode,
    request: Request,
    database: DatabaseDep,
    base: PublicBaseDep,
    limiter: WithdrawalLimiterDep,
) -> WithdrawalStatus:
    """Where the story a withdrawal code names stands: reviewed, published where, withdrawn."""
    standing = await _guarded(
        request,
        limiter,
        body.code,
        lambda: resident_withdrawals.standing(database, base, body.code),
    )
    return WithdrawalStatus.of(standing)


RECEIPT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    200: {"content": {"application/pdf": {}}, "description": "An A5 PDF receipt."},
}


@router.post("/receipt", response_class=Response, responses=RECEIPT_RESPONSES)
async def receipt(
    body: ReceiptRequest,
    request: Request,
    database: DatabaseDep,
    base: PublicBaseDep,
    limiter: WithdrawalLimiterDep,
) -> Response:
    """A receipt to keep: title, date, organisation, and the withdrawal link as text and QR."""
    standing = await _guarded(
        request,
        limiter,
        body.code,
        lambda: resident_withdrawals.standing(database, base, body.code),
    )
    pdf = await run_in_threadpool(
        withdrawal_receipt_pdf,
        Receipt(
            organisation=standing.organisation,
            title=standing.title,
            submitted_at=standing.submitted_at,
            url=resident_withdrawals.withdrawal_url(base, body.code),
            lang=body.lang,
        ),
    )
    headers = {"Cache-Control": "no-store", "Content-Disposition": 'inline; filename="receipt.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post("/withdraw", response_model=WithdrawalDone, responses=PROBLEMS)
async def withdraw(
    body: WithdrawalCode,
    request: Request,
    database: DatabaseDep,
    blobs: BlobsDep,
    keyring: KeyringDep,
    base: PublicBaseDep,
    limiter: WithdrawalLimiterDep,
) -> WithdrawalDone:
    """Withdraw the story: it leaves every trail, release and storage; a repeat does nothing."""
    standing, already = await _guarded(
        request,
        limiter,
        body.code,
        lambda: resident_withdrawals.withdraw(database, blobs, keyring, base, body.code),
    )
    return WithdrawalDone(**WithdrawalStatus.of(standing).model_dump(), already_withdrawn=already)
