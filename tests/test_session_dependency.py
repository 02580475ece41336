"""The request's database session: committed when its route succeeds, rolled back when it
fails, and its connection given back either way (it is opened on the event loop and ended in
a worker thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from server.db.session import Database
from server.deps import SessionDep


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    """A small application whose routes write through the real session dependency."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE probe (word VARCHAR(20))")
    app = FastAPI()
    app.state.database = db

    @app.post("/write/{word}")
    def write(word: str, session: SessionDep) -> dict[str, str]:
        session.execute(text("INSERT INTO probe (word) VALUES (:w)"), {"w": word})
        if word == "fail":
            raise RuntimeError("after the write")
        return {"written": word}

    @app.get("/read")
    async def read(session: SessionDep) -> list[str]:
        # An async route: the session's query runs on the loop here, which tests only need.
        return [row[0] for row in session.execute(text("SELECT word FROM probe ORDER BY word"))]

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_route_that_succeeds_is_committed(client: TestClient, db: Database) -> None:
    assert client.post("/write/kept").status_code == 200
    assert client.get("/read").json() == ["kept"]
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_route_that_fails_leaves_nothing_and_gives_its_connection_back(
    client: TestClient, db: Database
) -> None:
    for _ in range(3):
        assert client.post("/write/fail").status_code == 500
    assert client.post("/write/kept").status_code == 200
    assert client.get("/read").json() == ["kept"]
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
