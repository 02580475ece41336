"""Members of an organisation and their roles (owners invite and manage them)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import func, select

from server import member_invitations
from server.audit import record
from server.db.models import Membership, Role, User
from server.deps import ContributorDep, IfMatch, OwnerDep, PublicBaseDep, SessionDep
from server.etags import member_etag, require_match
from server.listing import paginate
from server.problems import ORG_PROBLEMS
from server.schemas.accounts import MemberCreate, MemberPublic, MemberUpdate
from server.schemas.member_invitations import MemberInvitationCreated, MemberInvitationPublic
from server.schemas.pages import Page, PageDep
from trails.errors import Conflict, NotFound
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs/{org}/members", tags=["members"])


def _membership(session: SessionDep, org_id: int, user_id: int) -> Membership:
    row = session.get(Membership, (org_id, user_id))
    if row is None:
        raise NotFound(msg("no member {user_id} in this organisation", user_id=user_id))
    return row


def _owners(session: SessionDep, org_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Membership.organisation_id == org_id, Membership.role == Role.owner
            )
        )
        or 0
    )


def _public(row: Membership, response: Response) -> MemberPublic:
    body = MemberPublic.of(row)
    response.headers["ETag"] = body.etag
    return body


@router.get("", response_model=Page[MemberPublic], responses=ORG_PROBLEMS)
def list_members(
    member: ContributorDep,
    session: SessionDep,
    page: PageDep,
    role: Role | None = None,
) -> Page[MemberPublic]:
    """The organisation's members, optionally of one role."""
    query = (
        select(Membership)
        .join(User)
        .where(Membership.organisation_id == member.organisation.id)
        .order_by(User.email)
    )
    if role is not None:
        query = query.where(Membership.role == role)
    return paginate(session, query, page, MemberPublic.of)


@router.post("", status_code=202, response_model=MemberInvitationCreated, responses=ORG_PROBLEMS)
def add_member(
    body: MemberCreate, member: OwnerDep, session: SessionDep, base: PublicBaseDep
) -> MemberInvitationCreated:
    """Invite a person by e-mail with a role; they become a member only when they accept.

    The answer is the same whether or not the address has an account here, and names
    nobody. It holds the invitation's secret link, shown this once: no mail is sent, so
    pass it on (``url`` is the studio page that accepts it). The person accepts signed in
    (``/v1/me/invitations``) or through the link, which creates their account if they have
    none. A new invitation to the same address
    replaces a pending one.
    """
    ttl = body.expires_in_s or member_invitations.DEFAULT_TTL_S
    code, row = member_invitations.invite(
        session, member.organisation, member.user, body.email, body.role, ttl
    )
    public = MemberInvitationPublic.of(row, member_invitations.state_of(row))
    return MemberInvitationCreated(
        **public.model_dump(),
        code=code,
        path=f"/v1/member-invitations/{code}",
        url=member_invitations.page_url(base, code),
    )


@router.get("/{user_id}", response_model=MemberPublic, responses=ORG_PROBLEMS)
def get_member(
    user_id: int, member: ContributorDep, session: SessionDep, response: Response
) -> MemberPublic:
    """One member."""
    return _public(_membership(session, member.organisation.id, user_id), response)


@router.patch("/{user_id}", response_model=MemberPublic, responses=ORG_PROBLEMS)
def update_member(
    user_id: int,
    body: MemberUpdate,
    member: OwnerDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> MemberPublic:
    """Change a member's role; an organisation always keeps one owner."""
    org_id = member.organisation.id
    row = _membership(session, org_id, user_id)
    require_match(if_match, member_etag(org_id, user_id, row.version))
    if row.role == Role.owner and body.role != Role.owner and _owners(session, org_id) == 1:
        raise Conflict(msg("this is the last owner; make someone else owner first"))
    row.role = body.role
    session.flush()
    record(session, org_id, member.user, "member.role", "user", user_id, role=body.role.value)
    return _public(row, response)


@router.delete("/{user_id}", status_code=204, responses=ORG_PROBLEMS)
def remove_member(
    user_id: int, member: OwnerDep, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Remove a member (their stories stay, credited as before)."""
    org_id = member.organisation.id
    row = _membership(session, org_id, user_id)
    require_match(if_match, member_etag(org_id, user_id, row.version))
    if row.role == Role.owner and _owners(session, org_id) == 1:
        raise Conflict(msg("this is the last owner; make someone else owner first"))
    session.delete(row)
    record(session, org_id, member.user, "member.remove", "user", user_id)
    return Response(status_code=204)
