"""Schemas of a resident's own withdrawal: the code in the body, where the story stands."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.resident_withdrawals import Standing
from server.schemas.accounts import Strict
from server.schemas.contributions import ResidentLanguage

WithdrawalState = Literal["submitted", "approved", "rejected", "withdrawn"]


class WithdrawalCode(Strict):
    """The withdrawal code a resident got when submitting (never sent in a URL)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "wdr_..."}]})

    code: str = Field(min_length=1, max_length=200)


class ReceiptRequest(WithdrawalCode):
    """A withdrawal code and the language of the receipt."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "wdr_...", "lang": "fr"}]})

    lang: ResidentLanguage = "fr"


class PublishedIn(BaseModel):
    """A trail whose live release plays the story."""

    trail_title: str
    trail_url: str


class WithdrawalStatus(BaseModel):
    """Where a resident's story stands."""

    organisation: str
    title: str
    submitted_at: datetime
    state: WithdrawalState
    published_in: list[PublishedIn] = Field(description="Live releases that play the story.")
    withdrawn_at: datetime | None
    removed_at: datetime | None = Field(
        description="When the audio left every bundle and the blob store."
    )

    @classmethod
    def of(cls, standing: Standing) -> WithdrawalStatus:
        """Build from where the story stands."""
        return cls(
            organisation=standing.organisation,
            title=standing.title,
            submitted_at=standing.submitted_at,
            state=standing.state,
            published_in=[
                PublishedIn(trail_title=p.trail_title, trail_url=p.trail_url)
                for p in standing.published_in
            ],
            withdrawn_at=standing.withdrawn_at,
            removed_at=standing.removed_at,
        )


class WithdrawalDone(WithdrawalStatus):
    """Where the story stands after a withdrawal, and whether it had been withdrawn before."""

    already_withdrawn: bool
