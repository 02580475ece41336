"""Organisations and members as the studio's first hour needs them, and links that open.

An administrator sees every organisation and makes new ones with the name people write;
owners invite by a studio link; an organisation always keeps an owner; every link, QR code
and poster starts with the address the request reached unless a public address is set.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.db.models import Organisation
from server.db.session import Database
from server.settings import Settings
from tests.api.test_releases import draft
from tests.sharing.helpers import decode_qr
from tests.support.people import People, add_user, sign_in
from tests.support.problems import problem


def _organisations(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Organisation)) or 0


def _admin(client: TestClient, db: Database) -> dict[str, str]:
    add_user(db, "admin@example.org", admin=True)
    return sign_in(client, "admin@example.org")


def test_an_administrator_lists_every_organisation_and_a_member_only_theirs(
    client: TestClient, people: People, db: Database
) -> None:
    admin = _admin(client, db)
    listed = client.get("/v1/orgs", headers=admin).json()
    # Not a member anywhere, the administrator acts as owner everywhere (server.auth.access).
    assert [(o["slug"], o["role"]) for o in listed["items"]] == [
        ("festival", "owner"),
        ("mill", "owner"),
    ]
    assert listed["total"] == 2
    mine = client.get("/v1/orgs", headers=people["editor"]).json()
    assert [(o["slug"], o["role"]) for o in mine["items"]] == [("mill", "editor")]


def test_a_new_organisation_keeps_its_accents_and_its_maker_lands_in_it(
    client: TestClient, people: People, db: Database
) -> None:
    admin = _admin(client, db)
    made = client.post(
        "/v1/orgs", json={"name": "  Musée du Verre ", "slug": "musee-du-verre"}, headers=admin
    )
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "Musée du Verre" and made.json()["role"] == "owner"
    me = client.get("/v1/me", headers=admin).json()
    assert me["memberships"] == [
        {"organisation": "musee-du-verre", "name": "Musée du Verre", "role": "owner"}
    ]


def test_bad_organisations_are_refused_by_field_and_nothing_is_made(
    client: TestClient, people: People, db: Database
) -> None:
    admin = _admin(client, db)
    before = _organisations(db)
    for name in ("x" * 300, "", "   "):
        body = problem(
            client.post("/v1/orgs", json={"name": name, "slug": "musee"}, headers=admin), 422
        )
        assert [e["field"] for e in body["errors"]] == ["body.name"], body
    accented = problem(
        client.post("/v1/orgs", json={"name": "Musée", "slug": "musée"}, headers=admin), 422
    )
    assert [e["field"] for e in accented["errors"]] == ["body.slug"]
    taken = problem(
        client.post("/v1/orgs", json={"name": "Le Moulin", "slug": "mill"}, headers=admin), 409
    )
    assert "'mill' is taken" in taken["detail"]
    assert _organisations(db) == before


def test_an_invitation_holds_the_studio_page_that_accepts_it(
    client: TestClient, people: People
) -> None:
    made = client.post(
        "/v1/orgs/mill/members",
        json={"email": "Nouvelle@Example.org", "role": "editor"},
        headers=people["owner"],
    )
    assert made.status_code == 202, made.text
    body = made.json()
    assert body["url"] == f"http://testserver/studio/join/{body['code']}"
    joined = client.post(
        f"/v1/member-invitations/{body['code']}/accept",
        json={"password": "a long first password", "display_name": "Nouvelle"},
    )
    assert joined.status_code == 200, joined.text
    assert joined.json()["organisation"] == "mill" and joined.json()["role"] == "editor"
    # The page itself is the studio's.
    page = client.get(f"/studio/join/{body['code']}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_inviting_a_member_again_and_leaving_no_owner_are_refused(
    client: TestClient, people: People
) -> None:
    again = problem(
        client.post(
            "/v1/orgs/mill/members",
            json={"email": "editor@example.org", "role": "owner"},
            headers=people["owner"],
        ),
        409,
    )
    assert "already a member" in again["detail"]
    owner_id = people.ids["owner"]
    member = client.get(f"/v1/orgs/mill/members/{owner_id}", headers=people["owner"])
    etag = member.headers["ETag"]
    demoted = client.patch(
        f"/v1/orgs/mill/members/{owner_id}",
        json={"role": "editor"},
        headers={**people["owner"], "If-Match": etag},
    )
    assert "last owner" in problem(demoted, 409)["detail"]
    removed = client.delete(
        f"/v1/orgs/mill/members/{owner_id}", headers={**people["owner"], "If-Match": etag}
    )
    assert "last owner" in problem(removed, 409)["detail"]
    still = client.get(f"/v1/orgs/mill/members/{owner_id}", headers=people["owner"]).json()
    assert still["role"] == "owner"


def test_links_start_with_the_address_the_request_reached_unless_one_is_set(
    client: TestClient, people: People, db: Database, settings: Settings
) -> None:
    trail_id = draft(db, "walk")
    base = f"/v1/orgs/mill/trails/{trail_id}"
    # `make run` on PORT=8123: the browser reaches that port, and so do the links.
    reached = {**people["editor"], "Host": "127.0.0.1:8123"}
    link = client.get(f"{base}/link", headers=reached).json()["url"]
    assert link == "http://127.0.0.1:8123/play/walk"
    assert decode_qr(client.get(f"{base}/qr.png", headers=reached).content) == [link]
    made = client.post(
        "/v1/orgs/mill/members",
        json={"email": "porte@example.org", "role": "editor"},
        headers={**people["owner"], "Host": "127.0.0.1:8123"},
    ).json()
    assert made["url"].startswith("http://127.0.0.1:8123/studio/join/")

    settings.public_base_url = "https://balades.example/"
    link = client.get(f"{base}/link", headers=reached).json()["url"]
    assert link == "https://balades.example/play/walk"
    assert decode_qr(client.get(f"{base}/qr.png", headers=reached).content) == [link]
