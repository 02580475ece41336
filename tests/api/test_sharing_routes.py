"""Sharing routes: QR codes that scan to the trail's link, and the festival poster."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update

from server.auth.passwords import hash_password
from server.db.models import Trail
from server.db.session import Database
from tests.api.test_releases import draft
from tests.sharing.helpers import decode_qr, pdf_text
from tests.support.drafts import new_trail
from tests.support.people import People
from tests.support.problems import problem
from trails.vocabulary import Visibility

LINK = "http://testserver/play/walk"  # the address the test client reaches


def _url(trail_id: int, name: str, org: str = "mill") -> str:
    return f"/v1/orgs/{org}/trails/{trail_id}/{name}"


def test_qr_codes_scan_to_the_trails_link(client: TestClient, people: People, db: Database) -> None:
    trail_id = draft(db, "walk")
    png = client.get(_url(trail_id, "qr.png"), headers=people["editor"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert decode_qr(png.content) == [LINK]
    small = client.get(_url(trail_id, "qr.png"), params={"scale": 4}, headers=people["owner"])
    big = client.get(_url(trail_id, "qr.png"), params={"scale": 8}, headers=people["owner"])
    assert (
        Image.open(io.BytesIO(big.content)).width == 2 * Image.open(io.BytesIO(small.content)).width
    )
    problem(
        client.get(_url(trail_id, "qr.png"), params={"scale": 0}, headers=people["editor"]), 422
    )
    svg = client.get(_url(trail_id, "qr.svg"), headers=people["editor"])
    assert svg.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(svg.content)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == LINK


def test_only_editors_of_the_organisation_share(
    client: TestClient, people: People, db: Database
) -> None:
    trail_id = draft(db, "walk")
    for name in ("qr.svg", "qr.png", "poster.pdf"):
        problem(client.get(_url(trail_id, name), headers=people["contributor"]), 403)
        problem(client.get(_url(trail_id, name), headers=people["anonymous"]), 401)
        problem(client.get(_url(trail_id, name), headers=people["stranger"]), 404)
        problem(client.get(_url(trail_id, name, "festival"), headers=people["stranger"]), 404)


def test_a_private_trails_code_goes_in_the_link_only_when_sent_and_right(
    client: TestClient, people: People, db: Database
) -> None:
    trail_id = draft(db, "walk")
    url = _url(trail_id, "qr.png")
    body = problem(
        client.get(url, params={"access_code": "x1y2z3w4"}, headers=people["editor"]), 422
    )
    assert body["errors"][0]["field"] == "access_code" and "public" in body["detail"]
    with db.transaction() as session:
        session.execute(
            update(Trail).values(
                visibility=Visibility.private, access_code_hash=hash_password("lantern-2026")
            )
        )
    plain = client.get(url, headers=people["editor"])
    assert decode_qr(plain.content) == [LINK]
    coded = client.get(url, params={"access_code": "lantern-2026"}, headers=people["editor"])
    assert decode_qr(coded.content) == [f"{LINK}?code=lantern-2026"]
    wrong = client.get(url, params={"access_code": "lantern-2027"}, headers=people["editor"])
    assert "not the trail's access code" in problem(wrong, 422)["detail"]


def test_poster_is_an_a4_pdf_with_title_and_link(
    client: TestClient, people: People, db: Database
) -> None:
    trail_id = draft(
        db,
        "walk",
        languages=["fr", "en"],
        title={"fr": "La Balade du Moulin", "en": "The Mill Walk"},
        description={"en": "Stories of the millers"},
    )
    r = client.get(_url(trail_id, "poster.pdf"), params={"lang": "en"}, headers=people["editor"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    assert "The Mill Walk" in text and "Stories of the millers" in text and LINK in text
    fr = client.get(_url(trail_id, "poster.pdf"), headers=people["editor"])
    assert "La Balade du Moulin" in pdf_text(fr.content)
    problem(
        client.get(_url(trail_id, "poster.pdf"), params={"lang": "es"}, headers=people["editor"]),
        422,
    )


def test_poster_of_a_trail_without_stops_is_409(client: TestClient, people: People) -> None:
    created = new_trail(client, people["editor"], "empty", title="Vide")
    body = problem(client.get(_url(created["id"], "poster.pdf"), headers=people["editor"]), 409)
    assert "no stops" in body["detail"]
