"""Accounts and organisations for API tests: one team with every role, and a stranger team."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.testclient import TestClient

from server.auth import tokens
from server.auth.passwords import hash_password
from server.db.models import Membership, Organisation, Role, User
from server.db.session import Database

PASSWORD = "walk-the-mill-2026"
# argon2 is slow on purpose; hash once for every test account.
_HASH = hash_password(PASSWORD)


@dataclass
class People:
    """Signed-in headers per role: owner, editor, contributor of 'mill'; owner of 'festival'."""

    client: TestClient
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, who: str) -> dict[str, str]:
        return self.headers[who]


ROLES = {
    "owner": ("mill", Role.owner),
    "editor": ("mill", Role.editor),
    "editor2": ("mill", Role.editor),
    "contributor": ("mill", Role.contributor),
    "stranger": ("festival", Role.owner),
}


def add_user(db: Database, email: str, *, admin: bool = False) -> int:
    """A user with the shared test password."""
    with db.transaction() as session:
        user = User(
            email=email, display_name=email.split("@")[0], password_hash=_HASH, is_admin=admin
        )
        session.add(user)
        session.flush()
        return user.id


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Bearer headers for a user."""
    response = client.post("/v1/auth/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def make_people(client: TestClient, db: Database) -> People:
    """Create both organisations and every member, and sign each one in."""
    people = People(client)
    with db.transaction() as session:
        orgs = {slug: Organisation(slug=slug, name=slug.title()) for slug in ("mill", "festival")}
        session.add_all(orgs.values())
        session.flush()
        org_ids = {slug: org.id for slug, org in orgs.items()}
    for who, (org_slug, role) in ROLES.items():
        email = f"{who}@example.org"
        user_id = add_user(db, email)
        people.ids[who] = user_id
        with db.transaction() as session:
            session.add(Membership(organisation_id=org_ids[org_slug], user_id=user_id, role=role))
            # A token issued directly: signing in through the API (argon2) is tested on its own.
            raw, _ = tokens.issue(session, session.get_one(User, user_id), ttl_s=3600)
        people.headers[who] = {"Authorization": f"Bearer {raw}"}
    people.headers["anonymous"] = {}
    return people
