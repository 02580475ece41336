"""Who may do what: a caller's role in an organisation, checked on every object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import ApiToken, Membership, Organisation, Role, User
from server.errors import Forbidden
from trails.errors import NotFound
from trails.messages import msg

RANK = {Role.contributor: 1, Role.editor: 2, Role.owner: 3}


class OrganisationRow(Protocol):
    """A table row that belongs to one organisation."""

    organisation_id: int


RowT = TypeVar("RowT", bound=OrganisationRow)


def row_in(
    session: Session, model: type[RowT], organisation_id: int, row_id: int, name: str
) -> RowT:
    """A row of the organisation by id; another organisation's is simply not found."""
    row = session.get(model, row_id)
    if row is None or row.organisation_id != organisation_id:
        raise NotFound(_not_found(name, row_id))
    return row


def _not_found(name: str, row_id: int) -> str:
    # One whole sentence per kind of row, so that each language can word it.
    if name == "trail":
        return msg("no trail {id} in this organisation", id=row_id)
    if name == "story":
        return msg("no story {id} in this organisation", id=row_id)
    if name == "invitation":
        return msg("no invitation {id} in this organisation", id=row_id)
    if name == "member invitation":
        return msg("no member invitation {id} in this organisation", id=row_id)
    if name == "consent record":
        return msg("no consent record {id} in this organisation", id=row_id)
    return f"no {name} {row_id} in this organisation"


@dataclass(frozen=True)
class Caller:
    """A signed-in user and the token they used."""

    user: User
    token: ApiToken


@dataclass(frozen=True)
class Member:
    """A caller acting inside one organisation, with their role there."""

    user: User
    organisation: Organisation
    role: Role

    def at_least(self, role: Role) -> bool:
        """Whether this member's role is ``role`` or above."""
        return RANK[self.role] >= RANK[role]


def organisation_for(session: Session, user: User, slug: str, minimum: Role) -> Member:
    """The caller's membership of organisation ``slug`` with at least ``minimum`` role.

    An organisation the caller does not belong to answers 404, exactly like one that
    does not exist, so that ids and names of other teams do not leak.
    """
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    membership = None if org is None else session.get(Membership, (org.id, user.id))
    if org is None or (membership is None and not user.is_admin):
        raise NotFound(msg("no organisation '{slug}'", slug=slug))
    # Server administrators (made with `baladeur users create --admin`) act as owners.
    role = membership.role if membership is not None else Role.owner
    member = Member(user, org, role)
    if not member.at_least(minimum):
        raise Forbidden(
            msg(
                "this needs the {needed} role in '{slug}'; yours is {yours}",
                needed=minimum.value,
                slug=slug,
                yours=role.value,
            )
        )
    return member
