"""``baladeur users create``: the first administrator, then signing in with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.support.cli import run_cli


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BALADEUR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BALADEUR_DATABASE_URL", raising=False)
    return tmp_path


def test_create_admin_then_sign_in(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "db", "upgrade")[0] == 0
    code, out, err = run_cli(
        capsys,
        "users",
        "create",
        "--email",
        "Admin@Example.org",
        "--password",
        "a-long-secret",
        "--admin",
        "--org",
        "musee-du-verre",
        "--org-name",
        "Musée du Verre",
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    assert created["email"] == "admin@example.org" and created["admin"] is True

    app = create_app(Settings(data_dir=data_dir, inprocess_worker=False))
    with TestClient(app) as client:
        token = client.post(
            "/v1/auth/tokens", json={"email": "admin@example.org", "password": "a-long-secret"}
        ).json()["token"]
        me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["is_admin"] is True
    assert me["memberships"] == [
        {"organisation": "musee-du-verre", "name": "Musée du Verre", "role": "owner"}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "x@example.org", "--password", "short"], "at least 10 characters"),
        (["--email", "not-an-email", "--password", "long-enough-1"], "name@example.org"),
        (["--email", "y@example.org", "--password", "long-enough-1", "--org", "Bad Slug"], "org"),
        (
            [
                "--email",
                "n@example.org",
                "--password",
                "long-enough-1",
                "--org",
                "long",
                "--org-name",
                "N" * 300,
            ],
            "at most 200 characters",
        ),
    ],
)
def test_bad_input_is_one_line_and_creates_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run_cli(capsys, "db", "upgrade")[0] == 0
    code, _, err = run_cli(capsys, "users", "create", *args)
    assert code == 1 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_existing_account_is_refused(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "db", "upgrade")[0] == 0
    args = ["users", "create", "--email", "z@example.org", "--password", "long-enough-1"]
    assert run_cli(capsys, *args)[0] == 0
    code, _, err = run_cli(capsys, *args)
    assert code == 1 and "exists already" in err


def test_bootstrap_creates_the_first_admin_once(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "db", "upgrade")[0] == 0
    code, out, err = run_cli(capsys, "users", "bootstrap", "--json")
    assert code == 0, err
    first = json.loads(out)
    password_file = Path(first["password_file"])
    assert first["created"] is True and password_file.stat().st_mode & 0o777 == 0o600
    email, password = password_file.read_text().split()
    assert password not in out  # never printed, only stored for its owner

    again = json.loads(run_cli(capsys, "users", "bootstrap", "--json")[1])
    assert again["created"] is False and password_file.read_text().split() == [email, password]

    app = create_app(Settings(data_dir=data_dir, inprocess_worker=False))
    with TestClient(app) as client:
        signed = client.post("/v1/auth/tokens", json={"email": email, "password": password})
    assert signed.status_code == 201


def test_make_runs_commands_leave_the_admin_inside_the_demo_organisation(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The Makefile's `run` target, in its order: upgrade, import the demo, bootstrap.
    demo = Path(__file__).resolve().parents[1] / "examples" / "moulin-de-marchienne"
    assert run_cli(capsys, "db", "upgrade")[0] == 0
    code, _, err = run_cli(capsys, "import", str(demo), "--publish", "--if-changed")
    assert code == 0, err
    code, out, err = run_cli(capsys, "users", "bootstrap", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["created"] is True and first["owner_of"] == ["demo"]
    # A second `make run` changes nothing.
    assert run_cli(capsys, "import", str(demo), "--publish", "--if-changed")[0] == 0
    assert json.loads(run_cli(capsys, "users", "bootstrap", "--json")[1])["owner_of"] == []

    email, password = Path(first["password_file"]).read_text().split()
    app = create_app(Settings(data_dir=data_dir, inprocess_worker=False))
    with TestClient(app) as client:
        token = client.post("/v1/auth/tokens", json={"email": email, "password": password})
        headers = {"Authorization": f"Bearer {token.json()['token']}"}
        me = client.get("/v1/me", headers=headers).json()
        trails = client.get("/v1/orgs/demo/trails", headers=headers).json()
    assert [(m["organisation"], m["role"]) for m in me["memberships"]] == [("demo", "owner")]
    assert [t["slug"] for t in trails["items"]] == ["moulin-de-marchienne"]
