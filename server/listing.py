"""Run a filtered query one page at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from server.schemas.pages import Page, PageParams

T = TypeVar("T")


def paginate(
    session: Session, query: Select[Any], params: PageParams, convert: Callable[[Any], T]
) -> Page[T]:
    """One page of ``query`` (which must be ordered) and the total count of the whole list."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(params.limit).offset(params.offset)).all()
    return Page[T](
        items=[convert(r) for r in rows], total=total or 0, limit=params.limit, offset=params.offset
    )
