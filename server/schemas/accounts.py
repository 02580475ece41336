"""Schemas of accounts, organisations and members."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from server.accounts import ORGANISATION_NAME_MAX
from server.auth.passwords import MAX_LENGTH
from server.db.models import Membership, Organisation, Role, User
from server.etags import etag_of, member_etag
from trails.validation import Slug

# An organisation's name as people write it (accents kept); blanks around it do not count.
OrganisationName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ORGANISATION_NAME_MAX)
]


class Strict(BaseModel):
    """A request body: unknown fields are refused, so nobody can set what they may not."""

    model_config = ConfigDict(extra="forbid")


class SignIn(Strict):
    """Credentials for a new token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"email": "mediatrice@example.org", "password": "correct horse battery staple"}
            ]
        }
    )

    email: str = Field(max_length=320, examples=["mediatrice@example.org"])
    password: str = Field(max_length=MAX_LENGTH, examples=["correct horse battery staple"])


class TokenPublic(BaseModel):
    """A bearer token: send it as ``Authorization: Bearer <token>``; shown once."""

    token: str
    expires_at: datetime


class SessionPublic(BaseModel):
    """A studio sign-in: its token travels in an HttpOnly cookie, so only its expiry is shown."""

    expires_at: datetime


class MembershipPublic(BaseModel):
    """One organisation the user belongs to."""

    organisation: str
    name: str
    role: Role


class MePublic(BaseModel):
    """The signed-in user."""

    id: int
    email: str
    display_name: str
    is_admin: bool
    memberships: list[MembershipPublic]

    @classmethod
    def of(cls, user: User) -> MePublic:
        """Build from a user row."""
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            is_admin=user.is_admin,
            memberships=[
                MembershipPublic(
                    organisation=m.organisation.slug, name=m.organisation.name, role=m.role
                )
                for m in sorted(user.memberships, key=lambda m: m.organisation.slug)
            ],
        )


class OrganisationCreate(Strict):
    """A new organisation; its creator becomes its owner."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "collectif-du-moulin",
                    "name": "Collectif du Moulin",
                    "requires_second_approval": False,
                }
            ]
        }
    )

    slug: Slug = Field(examples=["moulin-de-marchienne"])
    name: OrganisationName = Field(examples=["Musée du Verre"])
    requires_second_approval: bool = False


class OrganisationUpdate(Strict):
    """Changes to an organisation (owners only)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Collectif du Moulin", "requires_second_approval": True}]
        }
    )

    name: OrganisationName | None = None
    requires_second_approval: bool | None = Field(
        default=None, description="Whether a release needs a second editor's approval."
    )


class OrganisationPublic(BaseModel):
    """An organisation as its members see it."""

    slug: str
    name: str
    requires_second_approval: bool
    role: Role = Field(description="The caller's role here.")
    etag: str

    @classmethod
    def of(cls, org: Organisation, role: Role) -> OrganisationPublic:
        """Build from a row and the caller's role."""
        return cls(
            slug=org.slug,
            name=org.name,
            requires_second_approval=org.requires_second_approval,
            role=role,
            etag=etag_of("organisation", org),
        )


class MemberCreate(Strict):
    """Invite a person to the organisation with a role; they become a member on accepting."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "resident@example.org", "role": "contributor"}]}
    )

    email: str = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    role: Role
    expires_in_s: int | None = Field(
        default=None,
        gt=0,
        le=30 * 24 * 3600,
        description="How long the invitation can be accepted; a week by default.",
    )


class MemberUpdate(Strict):
    """Change a member's role."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "editor"}]})

    role: Role


class MemberPublic(BaseModel):
    """A member of an organisation."""

    user_id: int
    email: str
    display_name: str
    role: Role
    etag: str

    @classmethod
    def of(cls, membership: Membership) -> MemberPublic:
        """Build from a membership row."""
        return cls(
            user_id=membership.user_id,
            email=membership.user.email,
            display_name=membership.user.display_name,
            role=membership.role,
            etag=member_etag(membership.organisation_id, membership.user_id, membership.version),
        )
