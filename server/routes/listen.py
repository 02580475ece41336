"""Listening to an organisation's audio in the studio: a phone rendition of one asset."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from media.renditions import ENCODINGS
from server.deps import BlobsDep, ContributorDep, SessionDep
from server.problems import ORG_PROBLEMS
from server.routes.assets import asset_in
from trails.errors import NotFound
from trails.messages import msg
from trails.storage_names import rendition_key
from trails.vocabulary import AUDIO_PROFILES

router = APIRouter(prefix="/v1/orgs/{org}/assets", tags=["assets"])


@router.get(
    "/{asset_id}/listen",
    responses=ORG_PROBLEMS | {200: {"content": {"audio/ogg": {}, "audio/mp4": {}}}},
)
def listen(
    asset_id: int, member: ContributorDep, session: SessionDep, blobs: BlobsDep
) -> StreamingResponse:
    """The asset encoded for phones (Opus, else AAC), once it is ready: for the studio's player."""
    asset = asset_in(session, member, asset_id)
    by_profile = {r.profile: r for r in asset.renditions}
    # The profiles come preferred first: Opus is smaller and every current desktop browser
    # plays it; AAC for the rest.
    for name in AUDIO_PROFILES:
        rendition = by_profile.get(name)
        if rendition is not None:
            profile = ENCODINGS[name]
            chunks = blobs.open(rendition_key(rendition.sha256, profile.extension))
            return StreamingResponse(
                chunks,
                media_type=profile.mime_type,
                headers={"Content-Length": str(rendition.bytes), "Cache-Control": "private"},
            )
    raise NotFound(msg("this recording is not ready to listen to yet"))
