"""Dependencies injected into routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from media.blobs import BlobStore
from server.db.session import Database
from trails.bundle.signing import Keyring


def get_database(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.database
    return db


def get_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A session per request, committed when the route returns without error."""
    with db.transaction() as session:
        yield session


def get_blobs(request: Request) -> BlobStore:
    """The application's blob store."""
    blobs: BlobStore = request.app.state.blobs
    return blobs


def get_keyring(request: Request) -> Keyring:
    """The keyring that signs bundle manifests."""
    ring: Keyring = request.app.state.keyring
    return ring


DatabaseDep = Annotated[Database, Depends(get_database)]
BlobsDep = Annotated[BlobStore, Depends(get_blobs)]
KeyringDep = Annotated[Keyring, Depends(get_keyring)]
SessionDep = Annotated[Session, Depends(get_session)]
