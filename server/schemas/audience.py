"""Schemas of a trail's audience figures (completed downloads per day)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class DayCount(BaseModel):
    """One day (UTC) and the bundle downloads of the trail completed on it."""

    day: date
    downloads: int


class AudienceFigures(BaseModel):
    """A trail's completed bundle downloads, every day of a range (0 when none)."""

    model_config = ConfigDict(populate_by_name=True)

    trail_id: int
    first: date = Field(alias="from", description="The first day, UTC, ISO 8601.")
    last: date = Field(alias="to", description="The last day, UTC, ISO 8601, included.")
    total: int
    days: list[DayCount]
