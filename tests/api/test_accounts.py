"""Sign-in, tokens, organisations and members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from server.db.models import ApiToken, AuditEntry
from server.db.session import Database
from tests.support.people import PASSWORD, People, add_user, sign_in
from tests.support.problems import problem


def test_sign_in_me_and_sign_out(client: TestClient, people: People) -> None:
    me = client.get("/v1/me", headers=people["editor"]).json()
    assert me["email"] == "editor@example.org"
    assert me["memberships"] == [{"organisation": "mill", "name": "Mill", "role": "editor"}]
    assert client.delete("/v1/auth/tokens/current", headers=people["editor"]).status_code == 204
    body = problem(client.get("/v1/me", headers=people["editor"]), 401)
    assert "revoked" in body["detail"]


def test_wrong_password_and_unknown_account_read_the_same(
    client: TestClient, people: People
) -> None:
    wrong = client.post(
        "/v1/auth/tokens", json={"email": "editor@example.org", "password": "nope-nope-nope"}
    )
    unknown = client.post(
        "/v1/auth/tokens", json={"email": "nobody@example.org", "password": PASSWORD}
    )
    assert problem(wrong, 401)["detail"] == problem(unknown, 401)["detail"]
    assert wrong.headers["www-authenticate"].startswith("Bearer")


def test_missing_or_malformed_token_is_401(client: TestClient, people: People) -> None:
    problem(client.get("/v1/me"), 401)
    problem(client.get("/v1/me", headers={"Authorization": "Basic abc"}), 401)
    problem(client.get("/v1/me", headers={"Authorization": "Bearer bal_forged"}), 401)


def test_expired_token_is_401(client: TestClient, people: People, db: Database) -> None:
    with db.transaction() as session:
        session.execute(
            update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    body = problem(client.get("/v1/me", headers=people["owner"]), 401)
    assert "expired" in body["detail"]


def test_brute_force_sign_in_is_429_then_even_the_right_password_waits(
    client: TestClient, db: Database
) -> None:
    add_user(db, "target@example.org")
    for _ in range(5):  # the fixture's limit
        r = client.post(
            "/v1/auth/tokens", json={"email": "target@example.org", "password": "guess-guess-1"}
        )
        problem(r, 401)
    blocked = client.post(
        "/v1/auth/tokens", json={"email": "target@example.org", "password": PASSWORD}
    )
    body = problem(blocked, 429)
    assert int(blocked.headers["retry-after"]) > 0
    assert "too many" in body["detail"]


def test_tokens_are_stored_hashed(client: TestClient, people: People, db: Database) -> None:
    raw = people["owner"]["Authorization"].split()[1]
    with db.transaction() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert raw not in stored and all(len(h) == 64 for h in stored)


def test_create_organisation_makes_the_caller_owner(client: TestClient, people: People) -> None:
    r = client.post(
        "/v1/orgs", json={"slug": "fete-du-moulin", "name": "Fête"}, headers=people["contributor"]
    )
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "owner" and r.headers["etag"] == r.json()["etag"]
    problem(
        client.post("/v1/orgs", json={"slug": "mill", "name": "Again"}, headers=people["editor"]),
        409,
    )
    slugs = [
        o["slug"] for o in client.get("/v1/orgs", headers=people["contributor"]).json()["items"]
    ]
    assert slugs == ["fete-du-moulin", "mill"]


def test_another_organisation_is_not_found(client: TestClient, people: People) -> None:
    problem(client.get("/v1/orgs/festival", headers=people["owner"]), 404)
    problem(client.get("/v1/orgs/festival/members", headers=people["editor"]), 404)


def test_organisation_update_needs_if_match_and_refuses_unknown_fields(
    client: TestClient, people: People
) -> None:
    org = client.get("/v1/orgs/mill", headers=people["owner"])
    etag = org.headers["etag"]
    problem(client.patch("/v1/orgs/mill", json={"name": "Moulin"}, headers=people["owner"]), 428)
    body = problem(
        client.patch(
            "/v1/orgs/mill", json={"slug": "stolen"}, headers={**people["owner"], "If-Match": etag}
        ),
        422,
    )
    assert body["errors"][0]["field"] == "body.slug"
    problem(
        client.patch(
            "/v1/orgs/mill", json={"name": "M"}, headers={**people["editor"], "If-Match": etag}
        ),
        403,
    )
    ok = client.patch(
        "/v1/orgs/mill",
        json={"name": "Moulin", "requires_second_approval": True},
        headers={**people["owner"], "If-Match": etag},
    )
    assert ok.status_code == 200 and ok.json()["requires_second_approval"] is True
    assert ok.headers["etag"] != etag
    problem(
        client.patch(
            "/v1/orgs/mill", json={"name": "Old"}, headers={**people["owner"], "If-Match": etag}
        ),
        412,
    )
    assert client.get("/v1/orgs/mill", headers=people["owner"]).json()["name"] == "Moulin"


def test_members_add_change_role_and_last_owner_kept(
    client: TestClient, people: People, db: Database
) -> None:
    owner = people["owner"]
    r = client.post(
        "/v1/orgs/mill/members",
        json={"email": "Resident@Example.org", "role": "contributor"},
        headers=owner,
    )
    assert r.status_code == 202, r.text
    assert r.json()["email"] == "resident@example.org"
    joined = client.post(
        f"{r.json()['path']}/accept",
        json={"password": "a-long-password", "display_name": "Resident"},
    )
    assert joined.status_code == 200, joined.text
    assert joined.json()["role"] == "contributor"
    sign_in(client, "resident@example.org", "a-long-password")
    problem(
        client.post(
            "/v1/orgs/mill/members",
            json={"email": "x@example.org", "role": "editor", "password": "p" * 12},
            headers=owner,
        ),
        422,
    )
    problem(
        client.post(
            "/v1/orgs/mill/members",
            json={"email": "editor@example.org", "role": "editor"},
            headers=owner,
        ),
        409,
    )
    problem(
        client.post(
            "/v1/orgs/mill/members",
            json={"email": "y@example.org", "role": "editor"},
            headers=people["editor"],
        ),
        403,
    )
    me = people.ids["owner"]
    etag = client.get(f"/v1/orgs/mill/members/{me}", headers=owner).headers["etag"]
    problem(
        client.patch(
            f"/v1/orgs/mill/members/{me}",
            json={"role": "editor"},
            headers={**owner, "If-Match": etag},
        ),
        409,
    )
    problem(client.delete(f"/v1/orgs/mill/members/{me}", headers={**owner, "If-Match": etag}), 409)
    editor = people.ids["editor"]
    etag = client.get(f"/v1/orgs/mill/members/{editor}", headers=owner).headers["etag"]
    r = client.patch(
        f"/v1/orgs/mill/members/{editor}",
        json={"role": "owner"},
        headers={**owner, "If-Match": etag},
    )
    assert r.status_code == 200 and r.json()["role"] == "owner"
    roles = client.get("/v1/orgs/mill/members?role=owner", headers=owner).json()
    assert roles["total"] == 2
    with db.transaction() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert {"member.add", "member.role"} <= set(actions)
