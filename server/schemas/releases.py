"""Schemas of releases: what an editor sends to publish, and what they read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from server.db.models import Release
from server.schemas.accounts import Strict

StateName = Literal["awaiting", "scheduled", "live", "superseded"]


class ReleaseCreate(Strict):
    """Publish the trail's draft as it is now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "notes": "Added the testimony at the sluice gate.",
                    "publish_at": "2026-06-12T08:00:00+02:00",
                }
            ]
        }
    )

    notes: str | None = Field(
        default=None,
        max_length=10_000,
        description="What changed, for the team (not shown to visitors).",
        examples=["Added the miller's daughter's testimony at the sluice gate."],
    )
    publish_at: AwareDatetime | None = Field(
        default=None,
        description="Go live at this time instead of now (after approval, if one is needed).",
        examples=["2026-06-12T08:00:00+02:00"],
    )


class BundleInfo(BaseModel):
    """One audio profile's bundle of a release."""

    profile: str
    bytes: int
    sha256: str


class ReleasePublic(BaseModel):
    """A release of a trail as editors see it."""

    number: int
    state: StateName = Field(
        description="awaiting (a second editor's approval), scheduled (for publish_at), "
        "live (the current release) or superseded."
    )
    current: bool = Field(description="Whether visitors get this release now.")
    notes: str | None
    publish_at: datetime | None
    published_by: str | None
    approved_by: str | None
    created_at: datetime
    went_live_at: datetime | None = Field(description="When it last became current.")
    visibility: str
    valid_from: datetime | None
    valid_until: datetime | None
    bundles: list[BundleInfo]
    size: dict[str, Any] | None = Field(
        default=None,
        description="Bytes per profile, per stop and per minute of audio, with a warning "
        "when a bundle is larger than the server's warning size (single releases only).",
    )

    @classmethod
    def of(
        cls, release: Release, current_id: int | None, size: dict[str, Any] | None = None
    ) -> ReleasePublic:
        """Build from a release row; ``current_id`` is the trail's current release id."""
        return cls(
            number=release.number,
            state=release.state.value,
            current=release.id == current_id,
            notes=release.notes,
            publish_at=release.publish_at,
            published_by=release.published_by,
            approved_by=release.approved_by,
            created_at=release.created_at,
            went_live_at=release.went_live_at,
            visibility=release.visibility.value,
            valid_from=release.valid_from,
            valid_until=release.valid_until,
            bundles=[
                BundleInfo(profile=b.profile, bytes=b.bundle_bytes, sha256=b.bundle_sha256)
                for b in release.bundles
            ],
            size=size,
        )
