"""Stories of an organisation: the library editors place in trails (editors)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, UploadFile
from sqlalchemy import or_, select

from media.blobs import BlobNotFound
from server import private_files, stories
from server.audit import record
from server.bodylimits import CONTRIBUTOR_FIRST, DOCUMENT_LIMIT, MULTIPART_SLACK, body_limit
from server.db.models import Story, StoryStatus, StoryVersion
from server.deps import BlobsDep, ContributorDep, EditorDep, IfMatch, SessionDep
from server.etags import etag_of, require_match
from server.listing import paginate
from server.problems import ORG_FILE_PROBLEMS, ORG_PROBLEMS
from server.schemas.contributions import FormStored
from server.schemas.pages import Page, PageDep
from server.schemas.stories import StoryCreate, StoryPublic, StoryUpdate
from trails.errors import NotFound
from trails.messages import msg
from trails.storage_names import photo_key

router = APIRouter(prefix="/v1/orgs/{org}", tags=["stories"])


def _public(story: Story, response: Response) -> StoryPublic:
    body = StoryPublic.of(story)
    response.headers["ETag"] = body.etag
    return body


@router.get("/stories", response_model=Page[StoryPublic], responses=ORG_PROBLEMS)
def list_stories(
    member: EditorDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[Literal["submitted", "approved", "rejected"] | None, Query()] = None,
    language: Annotated[str | None, Query(max_length=35, description="A BCP 47 tag.")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Text in the title or a text.")
    ] = None,
) -> Page[StoryPublic]:
    """The organisation's stories, filtered by status, language or title text."""
    query = select(Story).where(Story.organisation_id == member.organisation.id)
    if status is not None:
        query = query.where(Story.status == StoryStatus(status))
    if language:
        has = select(StoryVersion.id).where(
            StoryVersion.story_id == Story.id, StoryVersion.language == language
        )
        query = query.where(has.exists())
    if q:
        in_text = select(StoryVersion.id).where(
            StoryVersion.story_id == Story.id, StoryVersion.text.icontains(q, autoescape=True)
        )
        query = query.where(or_(Story.title.icontains(q, autoescape=True), in_text.exists()))
    return paginate(session, query.order_by(Story.id), page, StoryPublic.of)


@router.post("/stories", status_code=201, response_model=StoryPublic, responses=ORG_PROBLEMS)
@body_limit(DOCUMENT_LIMIT)
def create_story(
    body: StoryCreate, member: EditorDep, session: SessionDep, response: Response
) -> StoryPublic:
    """Add a story to the library; an editor's story is approved at once."""
    story = stories.create_story(session, member.organisation.id, body, status=StoryStatus.approved)
    record(session, story.organisation_id, member.user, "story.create", "story", story.id)
    return _public(story, response)


@router.get("/stories/{story_id}", response_model=StoryPublic, responses=ORG_PROBLEMS)
def get_story(
    story_id: int, member: EditorDep, session: SessionDep, response: Response
) -> StoryPublic:
    """One story."""
    return _public(stories.story_in(session, member.organisation.id, story_id), response)


@router.patch("/stories/{story_id}", response_model=StoryPublic, responses=ORG_PROBLEMS)
@body_limit(DOCUMENT_LIMIT)
def update_story(
    story_id: int,
    body: StoryUpdate,
    member: EditorDep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> StoryPublic:
    """Change a story; trails show the change when they are published again."""
    story = stories.story_in(session, member.organisation.id, story_id)
    require_match(if_match, etag_of("story", story))
    stories.update_story(session, story, body)
    record(session, story.organisation_id, member.user, "story.update", "story", story.id)
    return _public(story, response)


@router.delete("/stories/{story_id}", status_code=204, responses=ORG_PROBLEMS)
def delete_story(
    story_id: int, member: EditorDep, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Delete a story that no stop uses (its audio stays in the library)."""
    story = stories.story_in(session, member.organisation.id, story_id)
    require_match(if_match, etag_of("story", story))
    record(
        session,
        story.organisation_id,
        member.user,
        "story.delete",
        "story",
        story.id,
        title=story.title,
    )
    stories.delete_story(session, story)
    return Response(status_code=204)


@router.get(
    "/stories/{story_id}/photo",
    response_class=Response,
    responses={
        **ORG_PROBLEMS,
        200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}},
    },
)
def get_photo(story_id: int, member: EditorDep, session: SessionDep, blobs: BlobsDep) -> Response:
    """The photo sent with a story, if any (editors only; it is never published)."""
    story = stories.story_in(session, member.organisation.id, story_id)
    if story.photo_sha256 is None:
        raise NotFound(msg("this story has no photo"))
    if not private_files.holds(
        session, story.organisation_id, private_files.PHOTO, story.photo_sha256, None
    ):
        # Only a file the organisation holds is served, whatever a story names.
        raise NotFound(msg("this story's photo is no longer stored"))
    key = photo_key(story.photo_sha256)
    try:
        info = blobs.stat(key)
        data = b"".join(blobs.open(key))
    except BlobNotFound:
        raise NotFound(msg("this story's photo is no longer stored")) from None
    return Response(data, media_type=info.content_type or "application/octet-stream")


@router.post("/photos", status_code=201, response_model=FormStored, responses=ORG_FILE_PROBLEMS)
@body_limit(stories.PHOTO_MAX_BYTES + MULTIPART_SLACK, check=CONTRIBUTOR_FIRST)
def upload_photo(
    file: UploadFile, member: ContributorDep, session: SessionDep, blobs: BlobsDep
) -> FormStored:
    """Store a photo (PNG, JPEG or WebP) to name in a story or contribution by its hash.

    It is stored without its metadata (EXIF with GPS positions, XMP, comments): the answer
    names the stored file. Only this member, and the organisation's editors, can name it.
    """
    photo = private_files.receive(session, blobs, stories.PHOTOS, file.file, member)
    return FormStored(sha256=photo.sha256, bytes=len(photo.data), mime_type=photo.mime_type)
