"""Transcript proposals: plain text, SRT or WebVTT in, a timed WebVTT out (nothing stored)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from media.blobs import BlobNotFound
from media.speech import detect_speech
from server.db.models import AssetStatus
from server.deps import BlobsDep, EditorDep, SessionDep, SettingsDep
from server.problems import ORG_PROBLEMS
from server.routes.assets import asset_in
from server.transcripts import (
    TranscriptFormat,
    format_of,
    given_timings,
    sentences_of,
    timed_transcript,
)
from trails.errors import Conflict
from trails.messages import msg
from trails.storage_names import original_key

router = APIRouter(prefix="/v1/orgs/{org}/assets", tags=["assets"])

# A story's transcript, pasted or imported: generous for an hour of speech.
TRANSCRIPT_MAX_CHARS = 200_000


class TranscriptProposalIn(BaseModel):
    """What the mediator has: the words as spoken, or an SRT or WebVTT file's text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "J'ai travaillé ici trente ans. La roue tournait jour et nuit.",
                    "language": "fr",
                }
            ]
        },
    )

    text: str = Field(max_length=TRANSCRIPT_MAX_CHARS, description="The transcript as given.")
    format: TranscriptFormat = Field(
        TranscriptFormat.auto,
        description="text, srt or vtt; auto reads it from the text (WEBVTT first, else '-->').",
    )
    language: str = Field(
        "fr", max_length=35, description="BCP 47 tag of the words, for splitting sentences."
    )


class TranscriptProposal(BaseModel):
    """A WebVTT transcript to review before saving it in the story."""

    vtt: str
    cues: int = Field(description="How many captions the proposal holds.")
    source: TranscriptFormat = Field(description="How the text given was read.")


@router.post(
    "/{asset_id}/transcript-proposal",
    response_model=TranscriptProposal,
    responses=ORG_PROBLEMS,
)
def propose_transcript(
    asset_id: int,
    body: TranscriptProposalIn,
    member: EditorDep,
    session: SessionDep,
    blobs: BlobsDep,
    settings: SettingsDep,
) -> TranscriptProposal:
    """Time a transcript with this recording: plain text becomes one caption per sentence,
    timed by the speech and its pauses; SRT becomes WebVTT; WebVTT is checked. Nothing is
    stored: save the story with the transcript once reviewed."""
    asset = asset_in(session, member, asset_id)
    if asset.status is not AssetStatus.ready or not asset.duration_s:
        raise Conflict(msg("this recording is not ready yet: wait until it is prepared"))
    duration = asset.duration_s
    fmt = format_of(body.text) if body.format is TranscriptFormat.auto else body.format
    if fmt is not TranscriptFormat.text:
        proposal = given_timings(body.text, fmt, duration)
    else:
        # The words are checked before the recording is read: a bad text costs no decode.
        found = sentences_of(body.text, body.language)
        settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(
            prefix="baladeur-speech-", dir=settings.resolved_data_dir
        ) as work:
            original = Path(work) / "original"
            try:
                with original.open("wb") as out:
                    for chunk in blobs.open(original_key(asset.sha256)):
                        out.write(chunk)
            except BlobNotFound:
                raise Conflict(
                    msg("the original file of this audio is missing from storage; upload it again")
                ) from None
            speech = detect_speech(original, duration, timeout_s=settings.job_timeout_s)
        proposal = timed_transcript(found, speech)
    return TranscriptProposal(vtt=proposal.vtt, cues=proposal.cues, source=proposal.source)
