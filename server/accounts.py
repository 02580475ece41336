"""Accounts and organisations: the one way to create them (API, CLI and scripted set-ups)."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.auth.passwords import hash_password
from server.db.models import Membership, Organisation, Role, User
from trails.errors import Conflict, invalid
from trails.files import atomic_file
from trails.messages import msg
from trails.validation import check_slug

# The longest organisation name (the API's schema and the command line both hold to it).
ORGANISATION_NAME_MAX = 200


def get_or_create_organisation(
    session: Session, slug: str, name: str | None = None
) -> Organisation:
    """The organisation with this slug, created (named ``name``, else its slug) if missing."""
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        org = Organisation(slug=slug, name=name or slug)
        session.add(org)
        session.flush()
    return org


def canonical_email(email: str) -> str:
    """An email address as accounts are keyed: without surrounding blanks, in lower case."""
    return email.strip().lower()


def checked_email(email: str) -> str:
    """The canonical form of an email address for a new account, or 422 if it is not one."""
    email = canonical_email(email)
    if "@" not in email or any(c.isspace() for c in email):
        raise invalid("email", email, msg("an email address looks like name@example.org"))
    return email


def create_user(
    session: Session,
    email: str,
    password: str,
    *,
    display_name: str = "",
    admin: bool = False,
    organisation: str | None = None,
    role: Role = Role.owner,
    organisation_name: str | None = None,
) -> User:
    """A new account, optionally a member of an organisation (created if missing).

    A new organisation is named ``organisation_name`` (accents and all), else after its slug.
    """
    email = checked_email(email)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise Conflict(msg("an account for {email} exists already", email=email))
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password, email),
        is_admin=admin,
    )
    session.add(user)
    session.flush()
    if organisation is not None:
        try:
            slug = check_slug(organisation)
        except ValueError as exc:
            raise invalid("org", organisation, str(exc)) from None
        name = (organisation_name or "").strip() or slug.replace("-", " ").title()
        if len(name) > ORGANISATION_NAME_MAX:
            raise invalid(
                "org_name",
                name[:40] + "…",
                msg("use at most {max} characters", max=ORGANISATION_NAME_MAX),
            )
        org = get_or_create_organisation(session, slug, name)
        session.add(Membership(organisation_id=org.id, user_id=user.id, role=role))
        session.flush()
    return user


FIRST_ADMIN_EMAIL = "admin@baladeur.local"


def ensure_first_admin(session: Session, password_file: Path) -> tuple[str, bool]:
    """On a server with no account yet, create an administrator; its password goes to a file.

    Returns the administrator's email and whether it was created now. The file is readable
    by its owner only; a later call finds the account and changes nothing.
    """
    if session.scalar(select(User.id).limit(1)) is not None:
        return FIRST_ADMIN_EMAIL, False
    password = secrets.token_urlsafe(12)
    create_user(session, FIRST_ADMIN_EMAIL, password, display_name="Administrator", admin=True)
    with atomic_file(password_file, mode=0o600) as fh:
        fh.write(f"{FIRST_ADMIN_EMAIL}\n{password}\n".encode())
    return FIRST_ADMIN_EMAIL, True


def adopt_unowned_organisations(session: Session, email: str = FIRST_ADMIN_EMAIL) -> list[str]:
    """Make the administrator ``email`` owner of every organisation that has no member at all.

    Such organisations come from imports (the demo trail of `make run`): without a member,
    nobody would find them in the studio. Returns the slugs adopted now; a later call finds
    them owned and changes nothing.
    """
    admin = session.scalar(
        select(User).where(func.lower(User.email) == canonical_email(email), User.is_admin)
    )
    if admin is None:
        return []
    orphans = session.scalars(
        select(Organisation)
        .where(
            ~select(Membership.user_id)
            .where(Membership.organisation_id == Organisation.id)
            .exists()
        )
        .order_by(Organisation.slug)
    ).all()
    for org in orphans:
        session.add(Membership(organisation_id=org.id, user_id=admin.id, role=Role.owner))
    session.flush()
    return [org.slug for org in orphans]
