"""Invitations to join an organisation: owners list and revoke them; the invited answer.

Owners invite with ``POST /v1/orgs/{org}/members`` (see ``server.routes.members``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select

from server import member_invitations as invitations
from server.db.models import MemberInvitation, Organisation
from server.deps import CallerDep, OwnerDep, SessionDep
from server.listing import paginate
from server.problems import ORG_PROBLEMS
from server.schemas.member_invitations import (
    Joined,
    MemberInvitationAccept,
    MemberInvitationInfo,
    MemberInvitationPublic,
    MyInvitation,
)
from server.schemas.pages import Page, PageDep
from server.schemas.problem import Problem

org_router = APIRouter(prefix="/v1/orgs/{org}/member-invitations", tags=["members"])
me_router = APIRouter(prefix="/v1/me/invitations", tags=["accounts"])
public_router = APIRouter(prefix="/v1/member-invitations", tags=["accounts"])
ANSWER_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **ORG_PROBLEMS,
    404: {"model": Problem, "description": "No such invitation (for you)"},
    409: {"model": Problem, "description": "Already a member, or the address has an account"},
    410: {"model": Problem, "description": "Accepted, declined, revoked or expired"},
}
LINK_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: ANSWER_PROBLEMS[code] for code in (404, 409, 410, 422)
}


@org_router.get("", response_model=Page[MemberInvitationPublic], responses=ORG_PROBLEMS)
def list_member_invitations(
    member: OwnerDep, session: SessionDep, page: PageDep
) -> Page[MemberInvitationPublic]:
    """The organisation's invitations to join, newest first, with their state now."""
    query = (
        select(MemberInvitation)
        .where(MemberInvitation.organisation_id == member.organisation.id)
        .order_by(MemberInvitation.id.desc())
    )
    return paginate(
        session, query, page, lambda r: MemberInvitationPublic.of(r, invitations.state_of(r))
    )


@org_router.post(
    "/{member_invitation_id}/revoke", response_model=MemberInvitationPublic, responses=ORG_PROBLEMS
)
def revoke_member_invitation(
    member_invitation_id: int, member: OwnerDep, session: SessionDep
) -> MemberInvitationPublic:
    """Stop a pending invitation from being accepted (idempotent; 409 once accepted)."""
    row = invitations.invitation_in(session, member.organisation.id, member_invitation_id)
    invitations.revoke(session, row, member.user)
    return MemberInvitationPublic.of(row, invitations.state_of(row))


@me_router.get("", response_model=list[MyInvitation], responses=ORG_PROBLEMS)
def my_invitations(caller: CallerDep, session: SessionDep) -> list[MyInvitation]:
    """Invitations to your address that wait for your answer, newest first."""
    rows = invitations.addressed_to(session, caller.user)
    return [MyInvitation.of(r, session.get_one(Organisation, r.organisation_id)) for r in rows]


@me_router.post("/{member_invitation_id}/accept", response_model=Joined, responses=ANSWER_PROBLEMS)
def accept_my_invitation(
    member_invitation_id: int, caller: CallerDep, session: SessionDep
) -> Joined:
    """Join the organisation with the role you were invited to."""
    row = invitations.mine(session, caller.user, member_invitation_id)
    membership = invitations.accept(session, row, caller.user)
    org = session.get_one(Organisation, membership.organisation_id)
    return Joined(organisation=org.slug, name=org.name, role=membership.role, email=row.email)


@me_router.post("/{member_invitation_id}/decline", status_code=204, responses=ANSWER_PROBLEMS)
def decline_my_invitation(
    member_invitation_id: int, caller: CallerDep, session: SessionDep
) -> Response:
    """Say no: you do not join, and the invitation can no longer be accepted."""
    row = invitations.mine(session, caller.user, member_invitation_id)
    invitations.decline(session, row, caller.user)
    return Response(status_code=204)


@public_router.get("/{member_code}", response_model=MemberInvitationInfo, responses=LINK_PROBLEMS)
def open_member_invitation(member_code: str, session: SessionDep) -> MemberInvitationInfo:
    """What the link's holder sees: which organisation invites which address, as what."""
    row = invitations.usable(invitations.by_code(session, member_code))
    return MemberInvitationInfo(
        organisation=session.get_one(Organisation, row.organisation_id).name,
        email=row.email,
        role=row.role,
        expires_at=row.expires_at,
    )


@public_router.post("/{member_code}/accept", response_model=Joined, responses=LINK_PROBLEMS)
def accept_member_invitation(
    member_code: str, body: MemberInvitationAccept, session: SessionDep
) -> Joined:
    """Create your account (its password follows the server's rule) and join at once.

    With an account already, sign in and accept from ``GET /v1/me/invitations`` instead.
    """
    row = invitations.by_code(session, member_code)
    membership = invitations.accept_with_new_account(session, row, body.password, body.display_name)
    org = session.get_one(Organisation, membership.organisation_id)
    return Joined(organisation=org.slug, name=org.name, role=membership.role, email=row.email)


@public_router.post("/{member_code}/decline", status_code=204, responses=LINK_PROBLEMS)
def decline_member_invitation(member_code: str, session: SessionDep) -> Response:
    """Say no through the link: nobody can accept this invitation any more."""
    invitations.decline(session, invitations.by_code(session, member_code), None)
    return Response(status_code=204)


router = APIRouter()
router.include_router(org_router)
router.include_router(me_router)
router.include_router(public_router)
