"""Public delivery of published trails: bundles, manifests, single media files and keys.

A private trail's manifest, signature, changes and bundle redirect need its access code
(``X-Access-Code`` header or ``code=``); without it they answer 404 like an unknown trail.
Its bundle, by hash, needs the code too, or the expiring capability (``access=``) that the
redirect gives; its media are never served on their own.

Content-addressed URLs (``/v1/bundles/…``, ``/v1/media/…``) never change content, so they
carry strong ETags (their sha256) and may be cached for a year.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, load_only

from server.audience import count_download, counter
from server.auth.capabilities import BundleCapabilities
from server.auth.codes import GivenCode
from server.catalogue import published_by_slug
from server.db.models import (
    Release,
    ReleaseBundle,
    ReleaseMedia,
    ReleaseState,
    Trail,
)
from server.deps import BlobsDep, CapabilitiesDep, DatabaseDep, KeyringDep, SessionDep
from server.errors import Gone, NotYetAvailable
from server.ranges import file_responses, reaches_end, serve_bytes
from server.routes.trails import AccessCodeDep
from server.schemas.problem import Problem
from server.visitor_reads import visitor_read
from trails.bundle.changes import diff
from trails.errors import NotFound
from trails.messages import msg
from trails.storage_names import basemap_key, bundle_key, published_media_key
from trails.vocabulary import DEFAULT_PROFILE, AudioProfile, Visibility

router = APIRouter(tags=["delivery"])
Profile = Annotated[AudioProfile, Query(description="Audio profile of the bundle.")]
_NAME = re.compile(r"^([0-9a-f]{64})\.([a-z0-9]{1,8})$")
PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Not found"},
    410: {"model": Problem, "description": "The trail's validity window has ended"},
    429: {"model": Problem, "description": "Too many access-code attempts"},
}
WINDOW_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    403: {"model": Problem, "description": "The trail's validity window has not begun"},
}


def _check_expired(release: Release, now: datetime) -> None:
    if release.valid_until is not None and release.valid_until <= now:
        raise Gone(
            msg("this trail was available until {value}", value=release.valid_until.isoformat())
        )


def _check_window(release: Release, now: datetime) -> None:
    _check_expired(release, now)
    if release.valid_from is not None and release.valid_from > now:
        raise NotYetAvailable(
            msg(
                "this trail opens on {value}; it cannot be downloaded before then",
                value=release.valid_from.isoformat(),
            )
        )


def _bundle_of(release: Release, profile: str) -> ReleaseBundle:
    for bundle in release.bundles:
        if bundle.profile == profile:
            return bundle
    raise NotFound(msg("this release has no {profile} bundle", profile=profile))


@router.get(
    "/v1/trails/{slug}/bundle",
    status_code=307,
    response_class=RedirectResponse,
    responses={**WINDOW_PROBLEMS, 307: {"description": "Where the bundle zip is"}},
)
@visitor_read
def current_bundle(
    slug: str,
    request: Request,
    session: SessionDep,
    db: DatabaseDep,
    blobs: BlobsDep,
    capabilities: CapabilitiesDep,
    code: AccessCodeDep,
    profile: Profile = DEFAULT_PROFILE,
) -> Response:
    """Redirect to the immutable bundle of the current release in a profile."""
    release = published_by_slug(session, slug, code)
    _check_window(release, datetime.now(UTC))
    bundle = _bundle_of(release, profile)
    key = bundle_key(bundle.bundle_sha256)
    direct = blobs.url(key)
    if direct is not None and request.method == "GET" and reaches_end(request, bundle.bundle_bytes):
        # The store will send the bytes: as for /v1/bundles/, count the request for the last.
        count_download(db, release.trail_id)
    target = direct or f"/v1/bundles/{bundle.bundle_sha256}.zip"
    if release.visibility == Visibility.private and target.startswith("/"):
        # The visitor gave the code here; the bundle's own address carries a capability
        # instead (the code in a query string would not follow the redirect).
        access = capabilities.issue(bundle.bundle_sha256, time.time())
        target = f"{target}?access={access}"
    return RedirectResponse(target, status_code=307, headers={"Cache-Control": "no-cache"})


@router.get("/v1/trails/{slug}/manifest", responses=PROBLEMS)
@visitor_read
def current_manifest(
    slug: str, session: SessionDep, code: AccessCodeDep, profile: Profile = DEFAULT_PROFILE
) -> Response:
    """The exact signed manifest bytes of the current release in a profile."""
    release = published_by_slug(session, slug, code)
    _check_expired(release, datetime.now(UTC))
    bundle = _bundle_of(release, profile)
    return Response(
        bundle.manifest_bytes,
        media_type="application/json",
        headers={"ETag": f'"{bundle.manifest_sha256}"', "Cache-Control": "no-cache"},
    )


@router.get("/v1/trails/{slug}/manifest.sig.json", responses=PROBLEMS)
@visitor_read
def current_signature(
    slug: str, session: SessionDep, code: AccessCodeDep, profile: Profile = DEFAULT_PROFILE
) -> dict[str, Any]:
    """The detached signature of the current manifest in a profile."""
    return dict(_bundle_of(published_by_slug(session, slug, code), profile).signature)


@router.get("/v1/trails/{slug}/changes", responses=PROBLEMS)
@visitor_read
def changes(
    slug: str,
    session: SessionDep,
    since: Annotated[int, Query(ge=1, description="The release number the client holds.")],
    code: AccessCodeDep,
    profile: Profile = DEFAULT_PROFILE,
) -> dict[str, Any]:
    """The media to add and drop to go from release ``since`` to the current release."""
    current = published_by_slug(session, slug, code)
    _check_expired(current, datetime.now(UTC))
    old = session.scalar(
        select(Release).where(Release.trail_id == current.trail_id, Release.number == since)
    )
    if old is None:
        raise NotFound(
            msg("this trail has no release {since}: download the whole bundle", since=since)
        )
    new_manifest = json.loads(_bundle_of(current, profile).manifest_bytes)
    old_manifest = json.loads(_bundle_of(old, profile).manifest_bytes)
    return {"profile": profile} | diff(old_manifest, new_manifest)


def _may_download(
    session: SessionDep,
    capabilities: BundleCapabilities,
    release: Release,
    sha256: str,
    code: GivenCode | None,
    access: str | None,
) -> bool:
    """Whether a bundle may be served: any bundle of a trail visitors may open, a private
    trail's (now or when this release was made) only with its code or a capability."""
    current = release.trail.current_release
    private = release.visibility == Visibility.private or (
        current is not None and current.visibility == Visibility.private
    )
    if not private:
        return True
    if access is not None and capabilities.valid(sha256, access, time.time()):
        return True
    if current is None or current.visibility != Visibility.private:
        return False  # an old private release of a trail since made public: no code opens it
    address = release.trail.address  # claimed by the trail's first publish
    if address is None:
        return False
    try:
        published_by_slug(session, address, code)
    except NotFound:
        return False
    return True


def _published_media(session: SessionDep, sha256: str) -> ReleaseMedia:
    # Only files of a current, not private release are public: drafts stay private.
    row = session.scalar(
        select(ReleaseMedia)
        .join(Release, Release.id == ReleaseMedia.release_id)
        .join(Trail, Trail.current_release_id == Release.id)
        .where(ReleaseMedia.sha256 == sha256, Release.visibility != Visibility.private)
        .limit(1)
    )
    if row is None:
        raise NotFound(msg("no published media {sha256}", sha256=sha256))
    return row


@router.get(
    "/v1/media/{name}",
    response_class=Response,
    responses={**PROBLEMS, **file_responses("audio/ogg", "audio/mp4", "text/vtt")},
)
@router.head("/v1/media/{name}", include_in_schema=False)
@visitor_read
def media_file(name: str, request: Request, session: SessionDep, blobs: BlobsDep) -> Response:
    """One content-addressed media file of a published release, with byte ranges."""
    match = _NAME.match(name)
    if not match:
        raise NotFound(msg("no media '{name}'", name=name))
    row = _published_media(session, match.group(1))
    key = published_media_key(row.path)
    return serve_bytes(
        request,
        blobs=blobs,
        key=key,
        size=row.bytes,
        etag=row.sha256,
        content_type=row.mime_type,
        from_store=True,
    )


@router.get(
    "/v1/bundles/{name}",
    response_class=Response,
    responses={**WINDOW_PROBLEMS, **file_responses("application/zip")},
)
@router.head("/v1/bundles/{name}", include_in_schema=False)
@visitor_read
def bundle_file(
    name: str,
    request: Request,
    session: SessionDep,
    blobs: BlobsDep,
    capabilities: CapabilitiesDep,
    code: AccessCodeDep,
    db: DatabaseDep,
    access: Annotated[
        str | None,
        Query(description="The capability a private trail's bundle redirect carries."),
    ] = None,
) -> Response:
    """A bundle zip of a published trail's release, with byte ranges so downloads resume.

    A release that was current stays downloadable after a newer one replaces it, so that
    a visitor midway through a download (or resuming one) finishes with the bytes they began.
    A private trail's bundle needs its access code, or the ``access`` capability of the
    address ``/v1/trails/{slug}/bundle`` redirects to; without, it is not found.
    """
    match = re.match(r"^([0-9a-f]{64})\.zip$", name)
    if not match:
        raise NotFound(msg("no bundle '{name}'", name=name))
    sha = match.group(1)
    # One query, reading only what the answer needs: a bundle's row and its release's hold
    # the manifest (tens of kB, parsed as JSON) and its signature, which a download does not.
    found = session.execute(
        select(ReleaseBundle, Release.manifest["slug"].as_string())
        .join(Release, Release.id == ReleaseBundle.release_id)
        .join(Trail, Trail.id == Release.trail_id)
        .options(
            load_only(ReleaseBundle.profile, ReleaseBundle.bundle_bytes),
            contains_eager(ReleaseBundle.release)
            .load_only(
                Release.trail_id,
                Release.number,
                Release.visibility,
                Release.valid_from,
                Release.valid_until,
            )
            .contains_eager(Release.trail)
            .load_only(Trail.address, Trail.current_release_id),
        )
        .where(
            ReleaseBundle.bundle_sha256 == sha,
            Trail.current_release_id.is_not(None),
            Release.state.in_([ReleaseState.live, ReleaseState.superseded]),
        )
        .order_by(Release.id.desc())
        .limit(1)
    ).first()
    bundle, slug = (found[0], found[1]) if found is not None else (None, None)
    if bundle is None or not _may_download(
        session, capabilities, bundle.release, sha, code, access
    ):
        # The same answer as for a bundle that does not exist.
        raise NotFound(msg("no published bundle {sha}", sha=sha))
    _check_window(bundle.release, datetime.now(UTC))
    key = bundle_key(sha)
    return serve_bytes(
        request,
        blobs=blobs,
        key=key,
        size=bundle.bundle_bytes,
        etag=sha,
        content_type="application/zip",
        filename=f"{slug}-{bundle.release.number}-{bundle.profile}.zip",
        from_store=True,
        on_last_byte=counter(db, bundle.release.trail_id),
    )


@router.get(
    "/v1/basemaps/{name}",
    response_class=Response,
    responses={404: PROBLEMS[404], **file_responses("application/vnd.pmtiles")},
)
@router.head("/v1/basemaps/{name}", include_in_schema=False)
def basemap_file(name: str, request: Request, blobs: BlobsDep) -> Response:
    """A release's offline base map (PMTiles), by its hash, with byte ranges to resume.

    Only map tiles of a public tile server are in it, and its name is the hash that the
    signed manifest gives, so it needs no access code (bundle format 2.8).
    """
    match = re.match(r"^([0-9a-f]{64})\.pmtiles$", name)
    if not match or not blobs.exists(basemap_key(match.group(1))):
        raise NotFound(msg("no base map '{name}'", name=name))
    sha = match.group(1)
    key = basemap_key(sha)
    return serve_bytes(
        request,
        blobs=blobs,
        key=key,
        size=blobs.stat(key).size,
        etag=sha,
        content_type="application/vnd.pmtiles",
        from_store=True,
    )


@router.get("/v1/keys")
def keys(keyring: KeyringDep) -> dict[str, Any]:
    """Public keys that sign bundle manifests, the current one flagged; old ones stay listed."""
    return keyring.document()
