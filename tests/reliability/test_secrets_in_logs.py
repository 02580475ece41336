"""A real server at DEBUG level, driven through sign-in, tokens, invitations (to contribute and
to join), access codes and uploads: none of those secrets appears anywhere in what it logs."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.common import free_port, stop, wait_http
from tests.support.cli import run_cli

PASSWORD = "moulin-secret-passphrase"
ACCESS_CODE = "vanne-1887"
NEW_PASSWORD = "first-walk-passphrase"  # not the address (the password rule)


def test_no_secret_reaches_the_logs(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BALADEUR_DATA_DIR", str(tmp_path))
    assert run_cli(capsys, "db", "upgrade")[0] == 0
    code, _, err = run_cli(
        capsys, "users", "create", "--email", "org@example.org", "--password", PASSWORD
    )
    assert code == 0, err

    port = free_port()
    log_file = tmp_path / "server.log"
    env = {
        **os.environ,
        "BALADEUR_DATA_DIR": str(tmp_path),
        "BALADEUR_LOG_LEVEL": "DEBUG",
        "BALADEUR_LOG_FORMAT": "json",
        "BALADEUR_INPROCESS_WORKER": "false",
    }
    with log_file.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "authoring.cli", "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/healthz", proc)
            secrets = _exercise(base)
            time.sleep(0.5)
        finally:
            stop(proc)
    logged = log_file.read_text(encoding="utf-8", errors="replace")
    assert '"route": "/v1/auth/tokens"' in logged, "the server did log its requests"
    # The manifest signing key's private half, as stored in PEM files.
    pem_bodies = [
        line
        for pem in (tmp_path / "keys").glob("*.key")
        for line in pem.read_text().splitlines()
        if line and not line.startswith("-----")
    ]
    assert pem_bodies, "the server made its signing key"
    for secret in [PASSWORD, ACCESS_CODE, *pem_bodies, *secrets]:
        assert secret not in logged


def _exercise(base: str) -> list[str]:
    """Use every secret-bearing part of the API; return the secrets the server handed out."""
    with httpx.Client(base_url=base) as http:
        http.post("/v1/auth/tokens", json={"email": "org@example.org", "password": "wrong-guess-1"})
        token = http.post(
            "/v1/auth/tokens", json={"email": "org@example.org", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert (
            http.post("/v1/orgs", json={"slug": "mill", "name": "Mill"}, headers=auth).status_code
            == 201
        )
        trail = http.post(
            "/v1/orgs/mill/trails",
            json={
                "slug": "secret-walk",
                "title": {"fr": "Balade"},
                "languages": ["fr"],
                "visibility": "private",
                "access_code": ACCESS_CODE,
            },
            headers=auth,
        )
        assert trail.status_code == 201, trail.text
        invitation = http.post("/v1/orgs/mill/invitations", json={"label": "atelier"}, headers=auth)
        code = invitation.json()["code"]
        assert http.get(f"/v1/invitations/{code}").status_code == 200
        http.get("/v1/trails/secret-walk", params={"code": ACCESS_CODE})
        http.get("/v1/trails/secret-walk", headers={"X-Access-Code": ACCESS_CODE})
        meta = "filename " + base64.b64encode(b"voice.wav").decode()
        upload = http.post(
            "/v1/orgs/mill/uploads",
            headers={
                **auth,
                "Tus-Resumable": "1.0.0",
                "Upload-Length": "10",
                "Upload-Metadata": meta,
            },
        )
        upload_id = upload.headers["location"].rsplit("/", 1)[1]
        http.head(f"/v1/orgs/mill/uploads/{upload_id}", headers=auth)
        joining = http.post(
            "/v1/orgs/mill/members",
            json={"email": "newcomer@example.org", "role": "contributor"},
            headers=auth,
        )
        member_code = joining.json()["code"]
        assert http.get(f"/v1/member-invitations/{member_code}").status_code == 200
        accepted = http.post(
            f"/v1/member-invitations/{member_code}/accept", json={"password": NEW_PASSWORD}
        )
        assert accepted.status_code == 200, accepted.text
        assert http.delete("/v1/auth/tokens/current", headers=auth).status_code == 204
        http.get("/v1/me", headers=auth)
        # The studio's session cookie must stay out of the logs too.
        csrf = {"X-Baladeur-CSRF": "1"}
        signed = http.post(
            "/v1/auth/session",
            json={"email": "org@example.org", "password": PASSWORD},
            headers=csrf,
        )
        assert signed.status_code == 201, signed.text
        session = http.cookies["baladeur_session"]
        assert http.get("/v1/me").status_code == 200
        assert http.delete("/v1/auth/tokens/current", headers=csrf).status_code == 204
    return [token, code, upload_id, member_code, NEW_PASSWORD, session]
