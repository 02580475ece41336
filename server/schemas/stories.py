"""Schemas of stories: what editors send (Create / Update) and read back (Public)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.consents import publishable
from server.db.models import Story
from server.etags import etag_of
from server.schemas.accounts import Strict
from trails.source import Credit
from trails.validation import LanguageTag
from trails.vocabulary import AudioRole, AudioRoleName

TRANSCRIPT_MAX = 200_000
# The longest title of a story (also what a resident may type).
TITLE_MAX = 300


class StoryVersionIn(Strict):
    """One language of a story: an audio asset of the organisation, a transcript, a text."""

    audio_asset_id: int | None = Field(default=None, description="An asset of the organisation.")
    transcript_vtt: str | None = Field(
        default=None,
        max_length=TRANSCRIPT_MAX,
        description="A WebVTT document (it starts with the line WEBVTT).",
        examples=["WEBVTT\n\n00:00.000 --> 00:04.000\nJ'ai travaillé ici trente ans.\n"],
    )
    text: str | None = Field(default=None, max_length=20_000)


class _StoryFields(Strict):
    licence: str | None = Field(default=None, max_length=100, examples=["CC-BY-4.0"])
    credits: list[Credit] | None = Field(
        default=None, examples=[[{"name": "Marie Dupont", "role": "interviewee"}]]
    )
    photo_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="sha256 of a photo uploaded to /v1/orgs/{org}/photos (kept, not published).",
    )


class StoryCreate(_StoryFields):
    """A new story; an editor's story is approved at once."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Le bief",
                    "role": "voice",
                    "licence": "CC BY-NC 4.0",
                    "credits": [{"name": "Jean Lambert", "role": "narrator"}],
                    "versions": {
                        "fr": {"audio_asset_id": 12, "text": "Le bief alimentait la roue."}
                    },
                }
            ]
        }
    )

    title: str = Field(min_length=1, max_length=TITLE_MAX, examples=["La grève de 1960"])
    role: AudioRoleName = AudioRole.voice.value
    versions: dict[LanguageTag, StoryVersionIn] = Field(
        min_length=1,
        description="Per BCP 47 language tag.",
        examples=[{"fr": {"audio_asset_id": 12, "text": "Souvenirs de la grève."}}],
    )


class StoryUpdate(_StoryFields):
    """Changes to a story; omitted fields stay. ``versions`` replaces the set of languages."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Le bief du moulin",
                    "credits": [{"name": "Jean Lambert", "role": "narrator"}],
                }
            ]
        }
    )

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    role: AudioRoleName | None = None
    versions: dict[LanguageTag, StoryVersionIn] | None = Field(default=None, min_length=1)


class StoryVersionPublic(BaseModel):
    """One language of a story, with whether its audio is ready to publish."""

    language: str
    audio_asset_id: int | None
    audio_status: str | None = Field(description="pending, ready or failed; null without audio.")
    audio_ready: bool
    transcript_vtt: str | None
    text: str | None


class StoryPublic(BaseModel):
    """A story as editors see it."""

    id: int
    title: str
    role: str
    licence: str | None
    credits: list[dict[str, Any]]
    status: str = Field(description="submitted, approved or rejected.")
    versions: list[StoryVersionPublic]
    submitted_by_id: int | None
    contributor_name: str | None
    photo_sha256: str | None
    review_reason: str | None
    reviewed_at: datetime | None
    publishable: bool = Field(description="Approved, with a standing consent to publication.")
    created_at: datetime
    updated_at: datetime
    etag: str

    @classmethod
    def fields_of(cls, story: Story, publishable: bool) -> dict[str, Any]:
        """The shared fields of a story row (for this class and its subclasses)."""
        return {
            "id": story.id,
            "title": story.title,
            "role": story.role.value,
            "licence": story.licence,
            "credits": story.credits or [],
            "status": story.status.value,
            "versions": [
                StoryVersionPublic(
                    language=v.language,
                    audio_asset_id=v.audio_asset_id,
                    audio_status=v.audio.status.value if v.audio is not None else None,
                    audio_ready=v.audio is not None and v.audio.status.value == "ready",
                    transcript_vtt=v.transcript_vtt,
                    text=v.text,
                )
                for v in sorted(story.versions, key=lambda v: v.language)
            ],
            "submitted_by_id": story.submitted_by_id,
            "contributor_name": story.contributor_name,
            "photo_sha256": story.photo_sha256,
            "review_reason": story.review_reason,
            "reviewed_at": story.reviewed_at,
            "publishable": publishable,
            "created_at": story.created_at,
            "updated_at": story.updated_at,
            "etag": etag_of("story", story),
        }

    @classmethod
    def of(cls, story: Story) -> StoryPublic:
        """Build from a row."""
        return cls(**cls.fields_of(story, publishable(story)))
