"""Organisations: the teams that own trails, stories and media."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from server.audit import record
from server.auth.access import Member
from server.db.models import Membership, Organisation, Role
from server.deps import CallerDep, ContributorDep, IfMatch, OwnerDep, SessionDep
from server.etags import etag_of, require_match
from server.listing import paginate
from server.problems import ORG_PROBLEMS
from server.schemas.accounts import OrganisationCreate, OrganisationPublic, OrganisationUpdate
from server.schemas.pages import Page, PageDep
from trails.errors import Conflict
from trails.messages import msg

router = APIRouter(prefix="/v1/orgs", tags=["organisations"])


def _public(member: Member, response: Response) -> OrganisationPublic:
    body = OrganisationPublic.of(member.organisation, member.role)
    response.headers["ETag"] = body.etag
    return body


@router.get("", response_model=Page[OrganisationPublic], responses=ORG_PROBLEMS)
def list_organisations(
    caller: CallerDep, session: SessionDep, page: PageDep
) -> Page[OrganisationPublic]:
    """The organisations the caller belongs to; every organisation for an administrator."""
    if caller.user.is_admin:
        # Administrators act as owners where they hold no membership (server.auth.access).
        roles = {m.organisation_id: m.role for m in caller.user.memberships}
        everything = select(Organisation).order_by(Organisation.slug)
        return paginate(
            session,
            everything,
            page,
            lambda o: OrganisationPublic.of(o, roles.get(o.id, Role.owner)),
        )
    query = (
        select(Membership)
        .join(Organisation)
        .where(Membership.user_id == caller.user.id)
        .order_by(Organisation.slug)
    )
    return paginate(session, query, page, lambda m: OrganisationPublic.of(m.organisation, m.role))


@router.post("", status_code=201, response_model=OrganisationPublic, responses=ORG_PROBLEMS)
def create_organisation(
    body: OrganisationCreate, caller: CallerDep, session: SessionDep, response: Response
) -> OrganisationPublic:
    """Create an organisation; the caller becomes its owner."""
    if session.scalar(select(Organisation.id).where(Organisation.slug == body.slug)):
        raise Conflict(
            msg("the organisation name '{slug}' is taken; choose another", slug=body.slug)
        )
    org = Organisation(**body.model_dump())
    org.memberships.append(Membership(user_id=caller.user.id, role=Role.owner))
    session.add(org)
    session.flush()
    record(session, org.id, caller.user, "organisation.create", "organisation", org.id)
    return _public(Member(caller.user, org, Role.owner), response)


@router.get("/{org}", response_model=OrganisationPublic, responses=ORG_PROBLEMS)
def get_organisation(member: ContributorDep, response: Response) -> OrganisationPublic:
    """One organisation the caller belongs to."""
    return _public(member, response)


@router.patch("/{org}", response_model=OrganisationPublic, responses=ORG_PROBLEMS)
def update_organisation(
    body: OrganisationUpdate,
    member: OwnerDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> OrganisationPublic:
    """Change an organisation's name or approval rule (owners)."""
    org = member.organisation
    require_match(if_match, etag_of("organisation", org))
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(org, name, value)
    session.flush()
    record(session, org.id, member.user, "organisation.update", "organisation", org.id)
    return _public(member, response)
