"""Media assets: one-request uploads, status polling, waveform, deletion."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile
from sqlalchemy import select

from media.blobs import BlobNotFound
from server.audit import record
from server.auth.access import Member
from server.bodylimits import CONTRIBUTOR_FIRST, body_limit, upload_limit
from server.db.models import AmbientLayer, Asset, AssetStatus, Role, SoundObject, StoryVersion
from server.deps import BlobsDep, ContributorDep, EditorDep, JobsDep, SessionDep, SettingsDep
from server.listing import paginate
from server.problems import ORG_PROBLEMS
from server.schemas.assets import AssetPublic
from server.schemas.pages import Page, PageDep
from server.uploads import Owner, asset_from_stream
from trails.errors import Conflict, NotFound
from trails.messages import msg
from trails.storage_names import waveform_key
from trails.vocabulary import AudioRole

router = APIRouter(prefix="/v1/orgs/{org}/assets", tags=["assets"])
UPLOAD_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **ORG_PROBLEMS,
    413: {"description": "Larger than the upload limit"},
    415: {"description": "Not audio, or not the type it was sent as"},
}


def asset_in(session: SessionDep, member: Member, asset_id: int) -> Asset:
    """An asset of the organisation; contributors see only their own uploads."""
    asset = session.get(Asset, asset_id)
    if (
        asset is None
        or asset.organisation_id != member.organisation.id
        or (not member.at_least(Role.editor) and asset.uploaded_by_id != member.user.id)
    ):
        raise NotFound(msg("no asset {asset_id} in this organisation", asset_id=asset_id))
    return asset


@router.get("", response_model=Page[AssetPublic], responses=ORG_PROBLEMS)
def list_assets(
    member: ContributorDep,
    session: SessionDep,
    page: PageDep,
    status: AssetStatus | None = None,
    role: AudioRole | None = None,
) -> Page[AssetPublic]:
    """The organisation's media (a contributor's own uploads only), newest first."""
    query = (
        select(Asset)
        .where(Asset.organisation_id == member.organisation.id)
        .order_by(Asset.created_at.desc(), Asset.id.desc())
    )
    if not member.at_least(Role.editor):
        query = query.where(Asset.uploaded_by_id == member.user.id)
    if status is not None:
        query = query.where(Asset.status == status)
    if role is not None:
        query = query.where(Asset.role == role)
    return paginate(session, query, page, AssetPublic.of)


@router.post("", status_code=201, response_model=AssetPublic, responses=UPLOAD_PROBLEMS)
@body_limit(upload_limit(), check=CONTRIBUTOR_FIRST)
def upload_asset(
    file: Annotated[UploadFile, File(description="The audio file.")],
    member: ContributorDep,
    session: SessionDep,
    blobs: BlobsDep,
    jobs: JobsDep,
    settings: SettingsDep,
    response: Response,
    role: Annotated[
        AudioRole, Form(description="voice (mono speech) or immersive.")
    ] = AudioRole.voice,
) -> AssetPublic:
    """Upload a small file in one request; encoding starts at once (poll the asset's status).

    Your own upload of the same bytes gives the same asset again (200 instead of 201); for
    an editor, so does anyone's in the organisation.
    For large files use the resumable uploads under ``/uploads``.
    """
    # A declared length over the limit was refused before the body was read (bodylimits).
    limits = settings.media_limits()
    asset, created = asset_from_stream(
        session,
        blobs,
        file.file,
        owner=Owner(member.organisation.id, member.user.id, sees_all=member.at_least(Role.editor)),
        filename=file.filename or "upload",
        role=role,
        limits=limits,
        declared_type=file.content_type,
        queue=jobs.ingest,
        tmp_dir=settings.resolved_data_dir,
    )
    if created:
        record(session, asset.organisation_id, member.user, "asset.upload", "asset", asset.id)
    else:
        response.status_code = 200
    return AssetPublic.of(asset)


@router.get("/{asset_id}", response_model=AssetPublic, responses=ORG_PROBLEMS)
def get_asset(asset_id: int, member: ContributorDep, session: SessionDep) -> AssetPublic:
    """One asset: poll ``status`` until it is ready (or failed, with a reason)."""
    return AssetPublic.of(asset_in(session, member, asset_id))


@router.get("/{asset_id}/waveform", responses=ORG_PROBLEMS)
def get_waveform(
    asset_id: int, member: ContributorDep, session: SessionDep, blobs: BlobsDep
) -> Response:
    """Peaks for drawing the waveform (min/max pairs), once the asset is ready."""
    asset = asset_in(session, member, asset_id)
    try:
        data = b"".join(blobs.open(waveform_key(asset.sha256)))
    except BlobNotFound:
        raise NotFound(msg("the waveform is not ready yet")) from None
    json.loads(data)  # only well-formed JSON leaves the server
    return Response(data, media_type="application/json")


@router.delete("/{asset_id}", status_code=204, responses=ORG_PROBLEMS)
def delete_asset(asset_id: int, member: EditorDep, session: SessionDep) -> Response:
    """Delete an asset no story, ambience or sound object uses (stored files stay for releases)."""
    asset = asset_in(session, member, asset_id)
    used = session.scalar(
        select(StoryVersion.id).where(StoryVersion.audio_asset_id == asset.id).limit(1)
    ) or session.scalar(select(AmbientLayer.id).where(AmbientLayer.asset_id == asset.id).limit(1))
    used = used or session.scalar(
        select(SoundObject.id).where(SoundObject.asset_id == asset.id).limit(1)
    )
    if used:
        raise Conflict(
            msg(
                "this audio is used by a story, an ambience or a sound object; remove "
                "it there first"
            )
        )
    record(session, asset.organisation_id, member.user, "asset.delete", "asset", asset.id)
    session.delete(asset)
    return Response(status_code=204)
