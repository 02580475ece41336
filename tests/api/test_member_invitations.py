"""Members join by invitation: nobody is added without agreeing, and no address is enumerated.

Any signed-in user can make an organisation and become its owner, so what an owner learns
from inviting an address is what anyone learns: nothing about whether it has an account.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from server.db.models import AuditEntry, MemberInvitation, Membership, Organisation, User
from server.db.session import Database
from tests.support.people import People, sign_in
from tests.support.problems import problem

SECRET_NAME = "Éditrice Très Discrète"
VOLATILE = {"id", "email", "code", "path", "url", "created_at", "expires_at"}


def _invite(
    client: TestClient, headers: dict[str, str], email: str, role: str = "editor", org: str = "mill"
) -> httpx.Response:
    return client.post(
        f"/v1/orgs/{org}/members", json={"email": email, "role": role}, headers=headers
    )


def _invited(
    client: TestClient, people: People, email: str, role: str = "editor"
) -> dict[str, Any]:
    r = _invite(client, people["owner"], email, role)
    assert r.status_code == 202, r.text
    body: dict[str, Any] = r.json()
    return body


def _member_ids(db: Database) -> list[int]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(Membership.user_id).join(Organisation).where(Organisation.slug == "mill")
            )
        )


def _orgs_of(client: TestClient, headers: dict[str, str]) -> list[str]:
    return [m["organisation"] for m in client.get("/v1/me", headers=headers).json()["memberships"]]


def _state(client: TestClient, people: People, invitation_id: int) -> str:
    items = client.get("/v1/orgs/mill/member-invitations", headers=people["owner"]).json()["items"]
    state: str = next(i["state"] for i in items if i["id"] == invitation_id)
    return state


def test_inviting_reads_the_same_for_an_existing_and_an_unknown_address(
    client: TestClient, people: People, db: Database
) -> None:
    with db.transaction() as session:
        session.execute(
            update(User).where(User.email == "editor@example.org").values(display_name=SECRET_NAME)
        )
    # Anyone signed in can own an organisation: the contributor makes one to probe from.
    r = client.post(
        "/v1/orgs", json={"slug": "sonde", "name": "Sonde"}, headers=people["contributor"]
    )
    assert r.status_code == 201, r.text
    probe = people["contributor"]

    known = _invite(client, probe, "editor@example.org", org="sonde")
    unknown = _invite(client, probe, "nobody-here@example.org", org="sonde")

    assert known.status_code == unknown.status_code == 202, (known.text, unknown.text)
    assert known.headers["content-type"] == unknown.headers["content-type"]
    assert set(known.json()) == set(unknown.json())
    same = {k: v for k, v in known.json().items() if k not in VOLATILE}
    assert same == {k: v for k, v in unknown.json().items() if k not in VOLATILE}
    assert same == {"role": "editor", "state": "pending"}
    for body in (known.text, unknown.text):
        assert SECRET_NAME not in body and "display_name" not in body and "account" not in body
    # Nobody was added: not in the probing organisation, not in the editor's own account.
    assert _orgs_of(client, people["editor"]) == ["mill"]
    members = client.get("/v1/orgs/sonde/members", headers=probe).json()["items"]
    assert [m["email"] for m in members] == ["contributor@example.org"]
    # Nor does the time tell: no password is hashed, no account is looked at.
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(8):
        for label, email in (("known", "editor@example.org"), ("unknown", f"n{n}@example.org")):
            started = time.perf_counter()
            assert _invite(client, probe, email, org="sonde").status_code == 202
            timings[label].append(time.perf_counter() - started)
    a, b = (statistics.median(timings[k]) for k in ("known", "unknown"))
    assert abs(a - b) <= 0.02 + 0.5 * min(a, b), timings


def test_the_invited_user_is_not_a_member_until_they_accept(
    client: TestClient, people: People, db: Database
) -> None:
    invitation = _invited(client, people, "stranger@example.org")
    assert _orgs_of(client, people["stranger"]) == ["festival"]
    problem(client.get("/v1/orgs/mill", headers=people["stranger"]), 404)
    assert people.ids["stranger"] not in _member_ids(db)

    mine = client.get("/v1/me/invitations", headers=people["stranger"]).json()
    assert mine == [
        {
            "id": invitation["id"],
            "organisation": "mill",
            "name": "Mill",
            "role": "editor",
            "expires_at": invitation["expires_at"],
        }
    ]
    r = client.post(f"/v1/me/invitations/{invitation['id']}/accept", headers=people["stranger"])
    assert r.status_code == 200, r.text
    assert r.json() == {
        "organisation": "mill",
        "name": "Mill",
        "role": "editor",
        "email": "stranger@example.org",
    }
    assert _orgs_of(client, people["stranger"]) == ["festival", "mill"]
    assert client.get("/v1/orgs/mill", headers=people["stranger"]).json()["role"] == "editor"
    assert client.get("/v1/me/invitations", headers=people["stranger"]).json() == []
    assert _state(client, people, invitation["id"]) == "accepted"
    problem(
        client.post(f"/v1/me/invitations/{invitation['id']}/accept", headers=people["stranger"]),
        410,
    )
    problem(client.post(f"{invitation['path']}/accept", json={"password": "x" * 12}), 410)
    with db.transaction() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "member.add"))
        assert entry is not None and entry.actor_id == people.ids["stranger"]
    # Once a member, a new invitation is refused (the owner sees members anyway).
    problem(_invite(client, people["owner"], "stranger@example.org"), 409)


def test_decline(client: TestClient, people: People) -> None:
    invitation = _invited(client, people, "stranger@example.org")
    url = f"/v1/me/invitations/{invitation['id']}"
    assert client.post(f"{url}/decline", headers=people["stranger"]).status_code == 204
    assert _orgs_of(client, people["stranger"]) == ["festival"]
    assert _state(client, people, invitation["id"]) == "declined"
    body = problem(client.post(f"{url}/accept", headers=people["stranger"]), 410)
    assert "declined" in body["detail"]
    problem(client.get(invitation["path"]), 410)

    # Through the link, by someone without an account.
    other = _invited(client, people, "passer-by@example.org")
    assert client.post(f"{other['path']}/decline").status_code == 204
    problem(client.post(f"{other['path']}/accept", json={"password": "a-long-password"}), 410)
    assert _state(client, people, other["id"]) == "declined"


def test_an_expired_invitation_cannot_be_accepted(
    client: TestClient, people: People, db: Database
) -> None:
    invitation = _invited(client, people, "stranger@example.org")
    fresh = _invited(client, people, "newcomer@example.org")
    with db.transaction() as session:
        session.execute(
            update(MemberInvitation)
            .where(MemberInvitation.id.in_([invitation["id"], fresh["id"]]))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert client.get("/v1/me/invitations", headers=people["stranger"]).json() == []
    body = problem(
        client.post(f"/v1/me/invitations/{invitation['id']}/accept", headers=people["stranger"]),
        410,
    )
    assert "expired" in body["detail"]
    problem(client.get(fresh["path"]), 410)
    problem(client.post(f"{fresh['path']}/accept", json={"password": "a-long-password"}), 410)
    assert _orgs_of(client, people["stranger"]) == ["festival"]
    assert _state(client, people, invitation["id"]) == "expired"
    with db.transaction() as session:
        assert session.scalar(select(User).where(User.email == "newcomer@example.org")) is None
    # Its lifetime is the owner's to choose, within a bound.
    r = client.post(
        "/v1/orgs/mill/members",
        json={"email": "later@example.org", "role": "contributor", "expires_in_s": 3600},
        headers=people["owner"],
    )
    assert r.status_code == 202, r.text
    created = datetime.fromisoformat(r.json()["created_at"])
    assert datetime.fromisoformat(r.json()["expires_at"]) - created == timedelta(hours=1)
    problem(
        client.post(
            "/v1/orgs/mill/members",
            json={"email": "later@example.org", "role": "contributor", "expires_in_s": 10**9},
            headers=people["owner"],
        ),
        422,
    )


def test_owners_list_and_revoke_pending_invitations(client: TestClient, people: People) -> None:
    invitation = _invited(client, people, "stranger@example.org", role="contributor")
    url = f"/v1/orgs/mill/member-invitations/{invitation['id']}/revoke"
    listed = client.get("/v1/orgs/mill/member-invitations", headers=people["owner"]).json()
    assert [(i["email"], i["role"], i["state"]) for i in listed["items"]] == [
        ("stranger@example.org", "contributor", "pending")
    ]
    assert "code" not in listed["items"][0]
    problem(client.get("/v1/orgs/mill/member-invitations", headers=people["editor"]), 403)
    problem(client.post(url, headers=people["editor"]), 403)
    problem(client.post(url.replace("mill", "festival"), headers=people["stranger"]), 404)

    r = client.post(url, headers=people["owner"])
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert client.post(url, headers=people["owner"]).json()["state"] == "revoked"  # idempotent
    assert client.get("/v1/me/invitations", headers=people["stranger"]).json() == []
    body = problem(
        client.post(f"/v1/me/invitations/{invitation['id']}/accept", headers=people["stranger"]),
        410,
    )
    assert "withdrawn" in body["detail"]
    problem(client.post(f"{invitation['path']}/accept", json={"password": "a-long-password"}), 410)
    assert _orgs_of(client, people["stranger"]) == ["festival"]

    # A new invitation to the same address replaces the pending one; an accepted one stays.
    first = _invited(client, people, "stranger@example.org")
    second = _invited(client, people, "stranger@example.org", role="contributor")
    assert _state(client, people, first["id"]) == "revoked"
    problem(client.post(f"{first['path']}/accept", json={"password": "a-long-password"}), 410)
    accepted = client.post(f"/v1/me/invitations/{second['id']}/accept", headers=people["stranger"])
    assert accepted.status_code == 200 and accepted.json()["role"] == "contributor"
    problem(
        client.post(
            f"/v1/orgs/mill/member-invitations/{second['id']}/revoke", headers=people["owner"]
        ),
        409,
    )


def test_nobody_else_can_accept_or_decline_someone_elses_invitation(
    client: TestClient, people: People, db: Database
) -> None:
    invitation = _invited(client, people, "stranger@example.org", role="owner")
    url = f"/v1/me/invitations/{invitation['id']}"
    for who in ("editor", "contributor", "owner"):
        assert client.get("/v1/me/invitations", headers=people[who]).json() == []
        problem(client.post(f"{url}/accept", headers=people[who]), 404)
        problem(client.post(f"{url}/decline", headers=people[who]), 404)
    problem(client.post(f"{url}/accept"), 401)
    # The link cannot make anyone else a member either: this address has an account, so
    # its holder must sign in as that address to accept.
    body = problem(
        client.post(
            f"{invitation['path']}/accept",
            json={"password": "anything-long-enough"},
            headers=people["editor"],
        ),
        409,
    )
    assert "sign in" in body["detail"]
    assert people.ids["stranger"] not in _member_ids(db)
    assert _state(client, people, invitation["id"]) == "pending"
    problem(client.get("/v1/member-invitations/mem_not-a-real-code"), 404)
    problem(client.post("/v1/member-invitations/mem_not-a-real-code/accept", json={}), 404)


def test_someone_without_an_account_creates_it_through_the_link(
    client: TestClient, people: People, db: Database
) -> None:
    invitation = _invited(client, people, "Newcomer@Example.org", role="contributor")
    assert invitation["path"] == f"/v1/member-invitations/{invitation['code']}"
    info = client.get(invitation["path"])
    assert info.status_code == 200, info.text
    assert info.json() == {
        "organisation": "Mill",
        "email": "newcomer@example.org",
        "role": "contributor",
        "expires_at": invitation["expires_at"],
    }
    problem(client.post(f"{invitation['path']}/accept", json={}), 422)
    short = problem(client.post(f"{invitation['path']}/accept", json={"password": "short"}), 422)
    assert short["errors"][0]["field"] == "password"
    problem(
        client.post(
            f"{invitation['path']}/accept",
            json={"password": "a-long-password", "email": "other@example.org"},
        ),
        422,
    )
    with db.transaction() as session:
        assert session.scalar(select(User).where(User.email == "newcomer@example.org")) is None

    # The server's one password rule applies (not the address's name part, among others).
    named = client.post(f"{invitation['path']}/accept", json={"password": "newcomer-2026!"})
    assert problem(named, 422)["errors"][0]["field"] == "password"
    r = client.post(
        f"{invitation['path']}/accept",
        json={"password": "first-walk-by-the-mill", "display_name": "Nouvelle"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["organisation"] == "mill" and r.json()["role"] == "contributor"
    headers = sign_in(client, "newcomer@example.org", "first-walk-by-the-mill")
    me = client.get("/v1/me", headers=headers).json()
    assert me["display_name"] == "Nouvelle"
    assert me["memberships"] == [{"organisation": "mill", "name": "Mill", "role": "contributor"}]
    problem(client.post(f"{invitation['path']}/accept", json={"password": "another-pass-1"}), 410)
    with db.transaction() as session:
        # Only a hash of the code is kept.
        stored = session.scalars(select(MemberInvitation.token_hash)).all()
    assert invitation["code"] not in stored and all(len(h) == 64 for h in stored)
