"""Trails as trail sources, and media by content: what ``baladeur push`` and ``pull`` use.

A push asks which media the organisation already has (``POST .../assets/lookup``), uploads
the others (tus, ``/uploads``), then sends the trail source naming its media by sha256
(``PUT .../trails/by-slug/{slug}/source``). A pull reads the source back and downloads
each original (``GET .../assets/{id}/original``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from server import drafts
from server.audit import record
from server.bodylimits import DOCUMENT_LIMIT, body_limit
from server.deps import BlobsDep, ContributorDep, EditorDep, IfMatch, SessionDep
from server.draft_source import load_trail
from server.etags import etag_of
from server.problems import ORG_PROBLEMS
from server.ranges import file_responses, serve_bytes
from server.remote_sources import (
    asset_entry,
    lookup_assets,
    replace_source,
    source_document,
    trail_by_slug,
)
from server.routes.assets import asset_in
from server.schemas.accounts import Strict
from trails.storage_names import original_key

router = APIRouter(prefix="/v1/orgs/{org}", tags=["trail sources"])
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


_EXAMPLE_SHA = "9f2c" + "0" * 60


class AssetLookup(Strict):
    """Digests of files a client is about to upload."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"sha256": [_EXAMPLE_SHA]}]})

    sha256: list[Sha256] = Field(max_length=10_000, description="sha256 digests, lowercase hex.")


class AssetLookupResult(BaseModel):
    """Which of the digests the organisation already holds."""

    found: dict[str, dict[str, Any]] = Field(description="By digest: the asset holding it.")
    missing: list[str] = Field(description="Digests to upload.")


class MediaRef(BaseModel):
    """A media file of a trail source, named by its content."""

    model_config = ConfigDict(extra="ignore")

    sha256: Sha256


class SourcePut(Strict):
    """A trail source whose media are assets the organisation holds."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "trail": {
                        "slug": "moulin-de-marchienne",
                        "languages": ["fr"],
                        "title": {"fr": "Le Moulin"},
                        "stops": [
                            {
                                "key": "la-roue",
                                "title": {"fr": "La roue"},
                                "zone": {
                                    "type": "circle",
                                    "center": [4.3958, 50.4043],
                                    "radius_m": 25,
                                },
                                "story": {
                                    "versions": {
                                        "fr": {
                                            "audio": "media/roue.opus",
                                            "transcript": "media/roue.vtt",
                                        }
                                    }
                                },
                            }
                        ],
                    },
                    "media": {"media/roue.opus": {"sha256": _EXAMPLE_SHA}},
                    "transcripts": {
                        "media/roue.vtt": "WEBVTT\n\n00:00.000 --> 00:04.000\nLa roue tourne.\n"
                    },
                }
            ]
        }
    )

    trail: dict[str, Any] = Field(description="The trail source, as in trail.yaml.")
    media: dict[str, MediaRef] = Field(
        default_factory=dict, description="Every audio path the trail names: its sha256."
    )
    transcripts: dict[str, Annotated[str, Field(max_length=1_000_000)]] = Field(
        default_factory=dict, description="Every transcript path the trail names: its WebVTT."
    )


class SourcePutResult(BaseModel):
    """What a push did to the draft."""

    trail_id: int
    slug: str
    etag: str
    created: bool
    changed: bool = Field(description="False when the draft already said exactly this.")


@router.post("/assets/lookup", response_model=AssetLookupResult, responses=ORG_PROBLEMS)
def lookup(body: AssetLookup, member: EditorDep, session: SessionDep) -> AssetLookupResult:
    """Which of these files (by sha256) the organisation already has, so as to upload the rest."""
    found = lookup_assets(session, member.organisation.id, body.sha256)
    return AssetLookupResult(
        found={sha: asset_entry(asset) for sha, asset in found.items()},
        missing=[sha for sha in dict.fromkeys(body.sha256) if sha not in found],
    )


@router.get(
    "/assets/{asset_id}/original",
    response_class=Response,
    responses={**ORG_PROBLEMS, **file_responses("audio/*", "application/octet-stream")},
)
@router.head("/assets/{asset_id}/original", include_in_schema=False)
def original(
    asset_id: int, request: Request, member: EditorDep, session: SessionDep, blobs: BlobsDep
) -> Response:
    """The bytes as uploaded (byte ranges allowed; the ETag is their sha256)."""
    asset = asset_in(session, member, asset_id)
    key = original_key(asset.sha256)
    return serve_bytes(
        request,
        blobs=blobs,
        key=key,
        size=asset.bytes,
        etag=asset.sha256,
        content_type=asset.mime_type or "application/octet-stream",
        cache_control="private, max-age=31536000, immutable",
    )


def _document(body: dict[str, Any], response: Response) -> dict[str, Any]:
    response.headers["ETag"] = body["etag"]
    return body


@router.get("/trails/{trail_id}/source", responses=ORG_PROBLEMS)
def get_source(
    trail_id: int, member: ContributorDep, session: SessionDep, response: Response
) -> dict[str, Any]:
    """The draft as a trail source (media named ``media/<sha256><ext>``), with its ETag.

    ``media`` maps each audio path to its asset (id, sha256, bytes); ``transcripts`` maps
    each transcript path to its WebVTT text.
    """
    trail = drafts.trail_in(session, member.organisation.id, trail_id)
    return _document(
        source_document(session, load_trail(session, trail.slug, trail.organisation_id)), response
    )


@router.get("/trails/by-slug/{slug}/source", responses=ORG_PROBLEMS)
def get_source_by_slug(
    slug: str, member: ContributorDep, session: SessionDep, response: Response
) -> dict[str, Any]:
    """As ``GET .../trails/{trail_id}/source``, by the trail's address."""
    trail = trail_by_slug(session, member.organisation.id, slug)
    return _document(source_document(session, trail), response)


@router.put(
    "/trails/by-slug/{slug}/source",
    response_model=SourcePutResult,
    responses={**ORG_PROBLEMS, 201: {"model": SourcePutResult, "description": "Created"}},
)
@body_limit(4 * DOCUMENT_LIMIT)
def put_source(
    slug: str,
    body: SourcePut,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> SourcePutResult:
    """Create (201) or replace (200) a draft from a trail source, in one transaction.

    Media are named by sha256 and must already be assets of the organisation (upload the
    missing ones first); transcripts come as text. A source with anything missing or
    invalid is refused (422) with every such item listed, and nothing changes. Replacing
    an existing draft needs ``If-Match`` with its current ETag (428 without, 412 if stale).
    """
    done = replace_source(
        session,
        member.organisation,
        slug,
        body.trail,
        {path: ref.sha256 for path, ref in body.media.items()},
        body.transcripts,
        if_match,
    )
    trail = done.trail
    if done.changed:
        action = "trail.create" if done.created else "trail.update"
        record(session, trail.organisation_id, member.user, action, "trail", trail.id, via="push")
    etag = etag_of("trail", trail)
    response.headers["ETag"] = etag
    response.status_code = 201 if done.created else 200
    return SourcePutResult(
        trail_id=trail.id, slug=trail.slug, etag=etag, created=done.created, changed=done.changed
    )
