"""Dependencies injected into routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from server.db.session import Database


def get_database(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.database
    return db


def get_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A session per request, committed when the route returns without error."""
    with db.transaction() as session:
        yield session


DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session)]
