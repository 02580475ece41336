"""Edits of an asset: trim and fades, rendered into a new asset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from server.audit import record
from server.db.models import Asset
from server.deps import BlobsDep, EditorDep, JobsDep, SessionDep, SettingsDep
from server.edits import checked_edit, derive_asset
from server.problems import ORG_PROBLEMS
from server.routes.assets import asset_in
from server.schemas.assets import AssetPublic

router = APIRouter(prefix="/v1/orgs/{org}/assets", tags=["assets"])


class EditIn(BaseModel):
    """Trim points and fades, in seconds of the source asset."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [
                {"trim_start_s": 1.5, "trim_end_s": 42.0, "fade_in_s": 0.5, "fade_out_s": 2}
            ]
        },
    )

    trim_start_s: float = Field(0.0, ge=0, description="Where the kept audio starts.")
    trim_end_s: float | None = Field(
        None, gt=0, description="Where the kept audio ends; null keeps it to the end."
    )
    fade_in_s: float = Field(0.0, ge=0, description="Fade-in length from the trim start.")
    fade_out_s: float = Field(0.0, ge=0, description="Fade-out length up to the trim end.")


class EditedAssetPublic(AssetPublic):
    """The asset an edit produced, with its source and the edit applied."""

    derived_from_id: int | None
    edit: dict[str, Any] | None

    @classmethod
    def of_edit(cls, asset: Asset) -> EditedAssetPublic:
        """Build from a row."""
        return cls(
            **AssetPublic.of(asset).model_dump(),
            derived_from_id=asset.derived_from_id,
            edit=asset.edit,
        )


@router.post(
    "/{asset_id}/edits", status_code=201, response_model=EditedAssetPublic, responses=ORG_PROBLEMS
)
def edit_asset(
    asset_id: int,
    body: EditIn,
    member: EditorDep,
    session: SessionDep,
    blobs: BlobsDep,
    jobs: JobsDep,
    settings: SettingsDep,
    response: Response,
) -> EditedAssetPublic:
    """Trim and fade an asset into a new one (poll its status); the source is left as it was.

    The same edit of the same asset gives the same asset again (200 instead of 201).
    """
    source = asset_in(session, member, asset_id)
    edit = checked_edit(source.duration_s or 0.0, **body.model_dump())
    derived, created = derive_asset(
        session,
        blobs,
        source,
        edit,
        user_id=member.user.id,
        limits=settings.media_limits(),
        queue=jobs.ingest,
        tmp_dir=settings.resolved_data_dir,
        timeout_s=settings.job_timeout_s,
    )
    if created:
        record(
            session,
            source.organisation_id,
            member.user,
            "asset.edit",
            "asset",
            derived.id,
            source_id=source.id,
        )
    else:
        response.status_code = 200
    return EditedAssetPublic.of_edit(derived)
