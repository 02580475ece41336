"""Schemas of invitations to join an organisation (sent by owners, accepted by the invited)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.auth.passwords import MAX_LENGTH
from server.db.models import MemberInvitation, Organisation, Role
from server.schemas.accounts import Strict

MemberInvitationState = Literal["pending", "accepted", "declined", "revoked", "expired"]


class MemberInvitationPublic(BaseModel):
    """An invitation as the organisation's owners see it (never its code).

    Whether the address has an account on this server is never said: only the invited
    person's answer tells.
    """

    id: int
    email: str
    role: Role
    state: MemberInvitationState
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, row: MemberInvitation, state: MemberInvitationState) -> MemberInvitationPublic:
        """Build from a row and its state now."""
        return cls(
            id=row.id,
            email=row.email,
            role=row.role,
            state=state,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )


class MemberInvitationCreated(MemberInvitationPublic):
    """A new invitation with its secret code, shown this once: pass the link on yourself."""

    code: str = Field(description="Shown once: only its hash is stored. No mail is sent.")
    path: str = Field(description="The link to hand to the person, relative to the API.")
    url: str = Field(
        description="The page to hand to the person: opened in a browser, it shows the "
        "invitation and accepts it (creating their account if they have none)."
    )


class MyInvitation(BaseModel):
    """An invitation addressed to the signed-in user, waiting for their answer."""

    id: int
    organisation: str = Field(description="The organisation's slug.")
    name: str = Field(description="The organisation's name.")
    role: Role
    expires_at: datetime

    @classmethod
    def of(cls, row: MemberInvitation, organisation: Organisation) -> MyInvitation:
        """Build from a row and its organisation."""
        return cls(
            id=row.id,
            organisation=organisation.slug,
            name=organisation.name,
            role=row.role,
            expires_at=row.expires_at,
        )


class MemberInvitationInfo(BaseModel):
    """What the holder of an invitation link sees: who invites which address, as what."""

    organisation: str = Field(description="The inviting organisation's name.")
    email: str
    role: Role
    expires_at: datetime


class MemberInvitationAccept(Strict):
    """Accepting through the link. Signed in: nothing. Without an account: choose a password."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"password": "a long first password", "display_name": "Marie"}]
        }
    )

    password: str | None = Field(
        default=None,
        max_length=MAX_LENGTH,
        description="The new account's password (not signed in, and the address has no "
        "account): 10 to 1,024 characters, not trivial (not a run like 0123456789, not a "
        "common password, not the email address).",
    )
    display_name: str = Field(default="", max_length=200)


class Joined(BaseModel):
    """The membership an accepted invitation made."""

    organisation: str
    name: str
    role: Role
    email: str
