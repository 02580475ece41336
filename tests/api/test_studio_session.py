"""The studio's sign-in: an HttpOnly session cookie, refused to requests of other sites."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.auth.tokens import token_hash
from server.db.models import ApiToken
from server.db.session import Database
from server.settings import Settings
from tests.support.live import live_server
from tests.support.people import PASSWORD, People, add_user
from tests.support.problems import problem

CSRF = {"X-Baladeur-CSRF": "1"}
COOKIE = "baladeur_session"


def _sign_in(client: TestClient, who: str = "owner", **headers: str) -> dict[str, object]:
    response = client.post(
        "/v1/auth/session",
        json={"email": f"{who}@example.org", "password": PASSWORD},
        headers={**CSRF, **headers},
    )
    assert response.status_code == 201, response.text
    return {"body": response.json(), "set_cookie": response.headers["set-cookie"]}


def test_sign_in_sets_an_httponly_strict_cookie_and_shows_no_token(
    client: TestClient, people: People, db: Database
) -> None:
    client.cookies.clear()
    answer = _sign_in(client)
    assert set(answer["body"]) == {"expires_at"}  # type: ignore[arg-type]
    attributes = [a.strip().lower() for a in str(answer["set_cookie"]).split(";")]
    name, _, raw = attributes[0].partition("=")
    assert name == COOKIE and raw.startswith("bal_")
    assert {"httponly", "samesite=strict", "path=/", "max-age=43200"} <= set(attributes)
    assert "secure" not in attributes  # plain http here: a Secure cookie would be dropped
    # The token behind it is an ordinary stored-as-hash token with the session's lifetime.
    with db.transaction() as session:
        row = session.scalar(
            select(ApiToken).where(ApiToken.token_hash == token_hash(client.cookies[COOKIE]))
        )
        assert row is not None
        lifetime = row.expires_at.replace(tzinfo=UTC) - datetime.now(UTC)
        assert timedelta(hours=11) < lifetime <= timedelta(hours=12)
    me = client.get("/v1/me")  # the cookie alone signs a read in
    assert me.status_code == 200 and me.json()["email"] == "owner@example.org"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {**CSRF, "Origin": "https://evil.example"},
        {**CSRF, "Sec-Fetch-Site": "cross-site"},
    ],
    ids=["no-csrf-header", "foreign-origin", "cross-site-fetch"],
)
def test_sign_in_from_another_site_is_refused(
    client: TestClient, people: People, headers: dict[str, str]
) -> None:
    client.cookies.clear()
    response = client.post(
        "/v1/auth/session",
        json={"email": "owner@example.org", "password": PASSWORD},
        headers=headers,
    )
    problem(response, 403)
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {**CSRF, "Origin": "https://evil.example"},
        {**CSRF, "Origin": "null"},
        {**CSRF, "Sec-Fetch-Site": "cross-site"},
        {**CSRF, "Sec-Fetch-Site": "same-site"},
    ],
    ids=["no-csrf-header", "foreign-origin", "null-origin", "cross-site", "same-site"],
)
def test_cookie_changes_from_another_site_are_refused(
    client: TestClient, people: People, headers: dict[str, str]
) -> None:
    """The takeover of issue 16 (an owner made by PATCHing a membership) as a forged request."""
    client.cookies.clear()
    _sign_in(client)
    path = f"/v1/orgs/mill/members/{people.ids['editor']}"
    etag = client.get(path).json()["etag"]
    refused = client.patch(path, json={"role": "owner"}, headers={**headers, "If-Match": etag})
    assert "cross" in problem(refused, 403)["detail"] or "X-Baladeur-CSRF" in refused.text
    assert client.get(path).json()["role"] == "editor"
    # The same change from the studio's own page goes through.
    allowed = client.patch(
        path,
        json={"role": "owner"},
        headers={**CSRF, "Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert allowed.status_code == 428  # past authentication: now it asks for If-Match


def test_bearer_callers_need_no_csrf_header(client: TestClient, people: People) -> None:
    client.cookies.clear()
    org = client.get("/v1/orgs/mill", headers=people["owner"]).json()
    renamed = client.patch(
        "/v1/orgs/mill",
        json={"name": "Moulin"},
        headers={**people["owner"], "If-Match": org["etag"]},
    )
    assert renamed.status_code == 200, renamed.text


def test_other_authorization_schemes_do_not_fall_back_to_the_cookie(
    client: TestClient, people: People
) -> None:
    client.cookies.clear()
    _sign_in(client)
    problem(client.get("/v1/me", headers={"Authorization": "Basic abc"}), 401)


def test_sign_out_revokes_the_session_and_clears_the_cookie(
    client: TestClient, people: People
) -> None:
    client.cookies.clear()
    _sign_in(client)
    raw = client.cookies[COOKIE]
    problem(client.delete("/v1/auth/tokens/current"), 403)  # no CSRF header: refused
    out = client.delete("/v1/auth/tokens/current", headers=CSRF)
    assert out.status_code == 204
    cleared = out.headers["set-cookie"].lower()
    assert cleared.startswith(f"{COOKIE}=") and "max-age=0" in cleared
    assert COOKIE not in client.cookies
    client.cookies.set(COOKIE, raw)
    assert "revoked" in problem(client.get("/v1/me"), 401)["detail"]


def test_wrong_password_sets_no_cookie(client: TestClient, people: People) -> None:
    client.cookies.clear()
    wrong = client.post(
        "/v1/auth/session",
        json={"email": "owner@example.org", "password": "not-the-password"},
        headers=CSRF,
    )
    problem(wrong, 401)
    assert "set-cookie" not in wrong.headers


@pytest.fixture
def https_client(db: Database, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path, inprocess_worker=False, public_base_url="https://trails.example"
    )
    app = create_app(settings, database=db, blobs=MemoryBlobStore())
    with TestClient(app, base_url="https://trails.example") as c:
        yield c


def test_behind_https_the_cookie_is_secure_and_host_only(
    https_client: TestClient, people: People
) -> None:
    answer = _sign_in(https_client, Origin="https://trails.example")
    attributes = [a.strip().lower() for a in str(answer["set_cookie"]).split(";")]
    assert attributes[0].startswith("__host-baladeur_session=")
    assert {"secure", "httponly", "samesite=strict", "path=/"} <= set(attributes)
    assert not any(a.startswith("domain=") for a in attributes)
    assert https_client.get("/v1/me").status_code == 200


# --- Secure behind a TLS-terminating proxy, over real HTTP ---------------------------------


def _attributes(set_cookie: str) -> tuple[str, str, set[str]]:
    """A Set-Cookie header's name, value and lower-cased attributes."""
    first, *rest = (part.strip() for part in set_cookie.split(";"))
    name, _, value = first.partition("=")
    return name, value, {a.lower() for a in rest}


@pytest.mark.parametrize(
    ("settings_of", "headers", "secure"),
    [
        ({"forwarded_allow_ips": ["127.0.0.1"]}, {"X-Forwarded-Proto": "https"}, True),
        ({"forwarded_allow_ips": ["192.0.2.7"]}, {"X-Forwarded-Proto": "https"}, False),
        ({}, {"X-Forwarded-Proto": "https"}, False),
        ({}, {}, False),
        ({"public_base_url": "https://trails.example"}, {}, True),
    ],
    ids=[
        "trusted-proxy-says-https",
        "untrusted-address-says-https",
        "no-proxy-trusted",
        "plain-http",
        "https-base-url",
    ],
)
def test_the_cookie_is_secure_when_the_browser_came_over_https(
    db: Database,
    tmp_path: Path,
    settings_of: dict[str, object],
    headers: dict[str, str],
    secure: bool,
) -> None:
    """What uvicorn makes of the request (trusted proxies only) decides, or an https base URL."""
    add_user(db, "owner@example.org")
    settings = Settings(data_dir=tmp_path, inprocess_worker=False, **settings_of)  # type: ignore[arg-type]
    app = create_app(settings, database=db, blobs=MemoryBlobStore())
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        signed_in = http.post(
            "/v1/auth/session",
            json={"email": "owner@example.org", "password": PASSWORD},
            headers={**CSRF, **headers},
        )
        assert signed_in.status_code == 201, signed_in.text
        name, raw, attributes = _attributes(signed_in.headers["set-cookie"])
        assert {"httponly", "samesite=strict", "path=/"} <= attributes
        assert ("secure" in attributes) is secure
        assert name == ("__Host-baladeur_session" if secure else "baladeur_session")
        # The browser sends it back under that name, over the same way in; it signs in.
        cookie = {"Cookie": f"{name}={raw}", **headers}
        me = http.get("/v1/me", headers=cookie)
        assert me.status_code == 200 and me.json()["email"] == "owner@example.org"
        out = http.delete("/v1/auth/tokens/current", headers={**cookie, **CSRF})
        assert out.status_code == 204, out.text
        cleared_name, _, cleared = _attributes(out.headers["set-cookie"])
        assert cleared_name == name and "max-age=0" in cleared
        assert ("secure" in cleared) is secure
