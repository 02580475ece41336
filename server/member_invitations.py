"""Membership by invitation: owners invite an address; only its person's answer adds them.

An owner never learns from the server whether an address has an account: inviting does the
same work and gives the same answer either way, and shows no name. The invited person
accepts signed in with that address, or through the secret link, which creates their account
when they have none. There is no mail: the owner passes the link on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.accounts import canonical_email, create_user
from server.audit import record
from server.auth.access import row_in
from server.auth.tokens import new_secret, token_hash
from server.db.models import MemberInvitation, Membership, Organisation, Role, User
from server.errors import Gone
from server.schemas.member_invitations import MemberInvitationState
from trails.errors import Conflict, NotFound, invalid
from trails.messages import msg

CODE_PREFIX = "mem_"
DEFAULT_TTL_S = 7 * 24 * 3600

_GONE = {
    "accepted": msg("this invitation has already been accepted"),
    "declined": msg("this invitation was declined; ask the organisation for a new one"),
    "revoked": msg("this invitation was withdrawn by the organisation; ask them for a new one"),
    "expired": msg("this invitation has expired; ask the organisation for a new one"),
}


def page_url(base_url: str, code: str) -> str:
    """The studio page an invited person opens to answer (``/studio/join/{code}``)."""
    return f"{base_url.rstrip('/')}/studio/join/{code}"


def state_of(row: MemberInvitation, now: datetime | None = None) -> MemberInvitationState:
    """Whether an invitation still waits for an answer, and if not, why."""
    now = now or datetime.now(UTC)
    if row.accepted_at is not None:
        return "accepted"
    if row.declined_at is not None:
        return "declined"
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at <= now:
        return "expired"
    return "pending"


def _pending(now: datetime) -> ColumnElement[bool]:
    """The SQL condition of a pending invitation."""
    return and_(
        MemberInvitation.accepted_at.is_(None),
        MemberInvitation.declined_at.is_(None),
        MemberInvitation.revoked_at.is_(None),
        MemberInvitation.expires_at > now,
    )


def invite(
    session: Session, organisation: Organisation, owner: User, email: str, role: Role, ttl_s: int
) -> tuple[str, MemberInvitation]:
    """A new invitation and its code (returned once, only its hash kept).

    The same queries run whether or not the address has an account: only membership of
    this organisation, which its owners can list anyway, is refused (409).
    """
    email = canonical_email(email)
    now = datetime.now(UTC)
    already = session.scalar(
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation.id, func.lower(User.email) == email)
    )
    if already is not None:
        raise Conflict(msg("{email} is already a member; change their role instead", email=email))
    # A new invitation replaces a pending one to the same address (a lost link, another role).
    earlier = session.scalars(
        select(MemberInvitation).where(
            MemberInvitation.organisation_id == organisation.id,
            MemberInvitation.email == email,
            _pending(now),
        )
    )
    for old in earlier:
        old.revoked_at = now
    code = new_secret(CODE_PREFIX)
    row = MemberInvitation(
        organisation_id=organisation.id,
        email=email,
        role=role,
        token_hash=token_hash(code),
        created_by_id=owner.id,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    session.add(row)
    session.flush()
    record(
        session,
        organisation.id,
        owner,
        "member.invite",
        "member_invitation",
        row.id,
        role=role.value,
    )
    return code, row


def invitation_in(session: Session, organisation_id: int, invitation_id: int) -> MemberInvitation:
    """An invitation of the organisation; another organisation's is simply not found."""
    return row_in(session, MemberInvitation, organisation_id, invitation_id, "member invitation")


def revoke(session: Session, row: MemberInvitation, owner: User) -> None:
    """Stop a pending invitation from being accepted (nothing to do once answered or expired)."""
    state = state_of(row)
    if state == "accepted":
        raise Conflict(msg("this invitation was accepted; remove the member instead"))
    if state == "pending":
        row.revoked_at = datetime.now(UTC)
        record(
            session, row.organisation_id, owner, "member.invite_revoke", "member_invitation", row.id
        )
        session.flush()


def addressed_to(session: Session, user: User) -> list[MemberInvitation]:
    """The pending invitations to the user's address, newest first."""
    query = (
        select(MemberInvitation)
        .where(MemberInvitation.email == canonical_email(user.email), _pending(datetime.now(UTC)))
        .order_by(MemberInvitation.id.desc())
    )
    return list(session.scalars(query))


def mine(session: Session, user: User, invitation_id: int) -> MemberInvitation:
    """One invitation to the user's address; anyone else's is simply not found."""
    row = session.get(MemberInvitation, invitation_id)
    if row is None or row.email != canonical_email(user.email):
        raise NotFound(msg("no invitation {invitation_id} for you", invitation_id=invitation_id))
    return row


def by_code(session: Session, code: str) -> MemberInvitation:
    """The invitation a link's code opens; 404 when unknown."""
    row = session.scalar(
        select(MemberInvitation).where(MemberInvitation.token_hash == token_hash(code))
    )
    if row is None:
        raise NotFound(msg("no such invitation link; check the address"))
    return row


def usable(row: MemberInvitation) -> MemberInvitation:
    """The invitation if it still waits for an answer; 410 saying why not."""
    state = state_of(row)
    if state != "pending":
        raise Gone(_GONE[state])
    return row


def _answer(session: Session, row: MemberInvitation, column: str) -> None:
    """Record the answer once: of two answers racing, the second finds it answered (410)."""
    now = datetime.now(UTC)
    done = session.execute(
        update(MemberInvitation)
        .where(MemberInvitation.id == row.id, _pending(now))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        session.refresh(row)
        raise Gone(_GONE.get(state_of(row), _GONE["expired"]))
    session.refresh(row)


def accept(session: Session, row: MemberInvitation, user: User) -> Membership:
    """The invited user joins with the invitation's role."""
    usable(row)
    if session.get(Membership, (row.organisation_id, user.id)) is not None:
        raise Conflict(msg("you are already a member of this organisation"))
    _answer(session, row, "accepted_at")
    membership = Membership(organisation_id=row.organisation_id, user_id=user.id, role=row.role)
    session.add(membership)
    session.flush()
    record(
        session,
        row.organisation_id,
        user,
        "member.add",
        "user",
        user.id,
        role=row.role.value,
        invitation=row.id,
    )
    return membership


def accept_with_new_account(
    session: Session, row: MemberInvitation, password: str | None, display_name: str
) -> Membership:
    """Someone without an account creates it while accepting through the link."""
    usable(row)
    if password is None:
        raise invalid(
            "password",
            None,
            msg(
                "choose a password for your new account (with an account already, sign "
                "in and accept the invitation from your invitations instead)"
            ),
        )
    try:
        user = create_user(session, row.email, password, display_name=display_name)
    except Conflict:  # create_user's own check, before the password is hashed
        raise Conflict(
            msg(
                "this address already has an account: sign in with it, then accept the "
                "invitation from your invitations (GET /v1/me/invitations)"
            )
        ) from None
    except IntegrityError:
        raise Conflict(
            msg("this address has just been given an account; sign in with it")
        ) from None
    return accept(session, row, user)


def decline(session: Session, row: MemberInvitation, user: User | None) -> None:
    """The invited person says no; the invitation can no longer be accepted."""
    usable(row)
    _answer(session, row, "declined_at")
    record(session, row.organisation_id, user, "member.decline", "member_invitation", row.id)
