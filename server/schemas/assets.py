"""Schemas of media assets and resumable uploads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from server.db.models import Asset, AssetStatus, Upload
from trails.vocabulary import AudioRole


class RenditionPublic(BaseModel):
    """An encoded version of an asset for phones."""

    profile: str
    sha256: str
    bytes: int
    mime_type: str
    duration_s: float


class AssetPublic(BaseModel):
    """An uploaded file, its probe facts, its processing status and its renditions."""

    id: int
    sha256: str
    filename: str
    bytes: int
    mime_type: str | None
    role: AudioRole
    status: AssetStatus = Field(
        description="pending while encoding; ready; or failed (see reason)."
    )
    failure_reason: str | None
    duration_s: float | None
    channels: int | None
    sample_rate: int | None
    loudness_lufs: float | None
    true_peak_dbtp: float | None
    renditions: list[RenditionPublic]
    created_at: datetime

    @classmethod
    def of(cls, asset: Asset) -> AssetPublic:
        """Build from a row."""
        return cls(
            id=asset.id,
            sha256=asset.sha256,
            filename=asset.filename,
            bytes=asset.bytes,
            mime_type=asset.mime_type,
            role=asset.role,
            status=asset.status,
            failure_reason=asset.failure_reason,
            duration_s=asset.duration_s,
            channels=asset.channels,
            sample_rate=asset.sample_rate,
            loudness_lufs=asset.loudness_lufs,
            true_peak_dbtp=asset.true_peak_dbtp,
            renditions=[
                RenditionPublic(
                    profile=r.profile,
                    sha256=r.sha256,
                    bytes=r.bytes,
                    mime_type=r.mime_type,
                    duration_s=r.duration_s,
                )
                for r in sorted(asset.renditions, key=lambda r: r.profile)
            ],
            created_at=asset.created_at,
        )


class UploadPublic(BaseModel):
    """Where a resumable upload stands, and the asset it became once complete."""

    id: str
    offset: int
    length: int
    filename: str
    expires_at: datetime
    asset_id: int | None

    @classmethod
    def of(cls, upload: Upload) -> UploadPublic:
        """Build from a row."""
        return cls(
            id=upload.id,
            offset=upload.offset,
            length=upload.length,
            filename=upload.filename,
            expires_at=upload.expires_at,
            asset_id=upload.asset_id,
        )
