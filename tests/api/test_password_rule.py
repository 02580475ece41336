"""One password rule wherever a password is set (issue 16, finding 10 e).

Ten identical digits were accepted, and a member's 5,000,000-character password was stored
although sign-in (at most 1,024 characters) could never take it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.accounts import create_user
from server.auth.passwords import MAX_LENGTH, check_strength
from server.db.models import User
from server.db.session import Database
from tests.support.cli import run_cli
from tests.support.people import People, sign_in
from tests.support.problems import problem
from trails.errors import InvalidInput

TRIVIAL = [
    "1111111111",  # ten identical digits
    "ababababab",  # two characters
    "0123456789",
    "9876543210",
    "abcdefghijk",
    "AzertyUIOP",  # a keyboard row, any case
    "password123",
    "short",
]


@pytest.mark.parametrize("password", TRIVIAL)
def test_trivial_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_strength(password)
    assert caught.value.errors[0].field == "password"


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "walk-the-mill-2026",
        "Zq8!mW2#pLx0",
        "é" * 3 + "ßøå7d-moulin",
    ],
)
def test_reasonable_passwords_pass(password: str) -> None:
    assert check_strength(password) == password


def test_the_email_is_not_a_password() -> None:
    with pytest.raises(InvalidInput, match="email"):
        check_strength("jeanne.dupont-2026", "jeanne.dupont@example.org")


def _accept(client: TestClient, people: People, email: str, password: str) -> Any:
    """Invite ``email`` into mill, then accept through the link, choosing ``password``."""
    invited = client.post(
        "/v1/orgs/mill/members",
        json={"email": email, "role": "contributor"},
        headers=people["owner"],
    )
    assert invited.status_code == 202, invited.text
    return client.post(f"{invited.json()['path']}/accept", json={"password": password})


def test_a_new_member_gets_the_same_rule_and_a_length_cap(
    client: TestClient, people: People, db: Database
) -> None:
    # A new member's account is made when they accept their invitation: the same rule.
    for i, password in enumerate(["1111111111", "y" * (MAX_LENGTH + 1)]):
        problem(_accept(client, people, f"new{i}@example.org", password), 422)
    # Far over the cap, the body is refused before it is read.
    problem(_accept(client, people, "new9@example.org", "x" * 5_000_000), 413)
    with db.transaction() as session:
        assert session.scalar(select(User).where(User.email.like("new%"))) is None
    longest = "word " * (MAX_LENGTH // 5 - 1) + "end."
    assert _accept(client, people, "long@example.org", longest).status_code == 200
    sign_in(client, "long@example.org", longest)  # a password that is accepted can be used


def test_accounts_made_outside_the_api_get_the_same_rule(db: Database) -> None:
    with db.transaction() as session, pytest.raises(InvalidInput):
        create_user(session, "admin@example.org", "0000000000")


def test_the_cli_refuses_a_trivial_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("BALADEUR_DATA_DIR", str(tmp_path))
    run_cli(capsys, "db", "upgrade")
    code, _out, err = run_cli(
        capsys, "users", "create", "--email", "x@example.org", "--password", "1234567890"
    )
    assert code == 1 and "too easy to guess" in err
