"""Schemas of consents, contributions (submitted stories) and invitations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.consents import publishable
from server.db.models import ConsentRecord, Invitation, Story
from server.schemas.accounts import Strict
from server.schemas.stories import StoryCreate, StoryPublic
from trails.source import Credit
from trails.validation import LANGUAGE_SHAPE, LanguageTag

Sha256 = str


class ConsentFields(Strict):
    """What a person agreed to, and when."""

    person: str = Field(min_length=1, max_length=200, examples=["Marie Dupont"])
    publication: bool = Field(description="Agrees to publication in trails.")
    archive: bool = Field(description="Agrees to the recording being kept in the archive.")
    given_on: date = Field(
        description="Date of consent (YYYY-MM-DD), not in the future.", examples=["2026-05-14"]
    )

    @field_validator("given_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        # A day of slack: the person may be a timezone ahead of the server.
        if value.toordinal() > datetime.now(UTC).date().toordinal() + 1:
            raise ValueError("a consent cannot be dated in the future")
        return value


class ConsentCreate(ConsentFields):
    """A consent record, optionally with the signed form uploaded beforehand."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person": "Marie Dupont",
                    "publication": True,
                    "archive": True,
                    "given_on": "2026-05-14",
                }
            ]
        }
    )

    form_sha256: Sha256 | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="sha256 of a form uploaded to /v1/orgs/{org}/consent-forms.",
    )


class ConsentPublic(BaseModel):
    """A consent record."""

    id: int
    story_id: int | None
    person: str
    publication: bool
    archive: bool
    given_on: date
    form_sha256: str | None
    recorded_by_id: int | None
    created_at: datetime
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, row: ConsentRecord) -> ConsentPublic:
        """Build from a row."""
        return cls(
            id=row.id,
            story_id=row.story_id,
            person=row.person,
            publication=row.publication,
            archive=row.archive,
            given_on=row.given_on.date(),
            form_sha256=row.form_sha256,
            recorded_by_id=row.recorded_by_id,
            created_at=row.created_at,
            withdrawn_at=row.withdrawn_at,
        )


class FormStored(BaseModel):
    """A stored private file (a signed consent form, a photo); name it by its hash."""

    sha256: str
    bytes: int
    mime_type: str


class WithdrawalPublic(BaseModel):
    """The outcome of a withdrawal of consent."""

    consent: ConsentPublic
    story_id: int | None
    republished: list[str] = Field(description="Trails published again without the story.")
    taken_offline: list[str] = Field(description="Trails that could not be published again.")
    rebuilt: list[str] = Field(
        description="Trails whose releases waiting for approval or for their time were "
        "replaced by copies without the story (still waiting).",
    )
    cancelled: list[str] = Field(
        description="Trails whose waiting releases could not be copied and were cancelled.",
    )
    releases_deleted: int
    blobs_deleted: int


class ContributionCreate(StoryCreate):
    """A story submitted for review, with its contributor's consent, in one call."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "La grève de 1960",
                    "versions": {"fr": {"audio_asset_id": 12, "text": "Souvenirs de la grève."}},
                    "credits": [{"name": "Marie Dupont", "role": "interviewee"}],
                    "contributor_name": "Marie Dupont",
                    "consent": {
                        "person": "Marie Dupont",
                        "publication": True,
                        "archive": True,
                        "given_on": "2026-05-14",
                    },
                }
            ]
        }
    )

    contributor_name: str | None = Field(default=None, max_length=200)
    consent: ConsentCreate


class ContributionPublic(StoryPublic):
    """A contribution: a story under review, with its consent records."""

    consents: list[ConsentPublic]

    @classmethod
    def build(cls, story: Story, consents: list[ConsentRecord]) -> ContributionPublic:
        """Build from a story and its consent records."""
        fields = StoryPublic.fields_of(story, publishable(story))
        return cls(**fields, consents=[ConsentPublic.of(c) for c in consents])


class Rejection(Strict):
    """Why a contribution is rejected; the contributor reads it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "The recording stops mid-sentence; could you record the end again?"}
            ]
        }
    )

    reason: str = Field(min_length=1, max_length=2000)


class Approval(Strict):
    """An optional note with an approval."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"note": "Thank you, Marie: this goes at the sluice gate."}]
        }
    )

    note: str | None = Field(default=None, max_length=2000)


class InvitationCreate(Strict):
    """A link a resident without an account can use to submit a story."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"label": "Atelier mémoire, mai 2026", "expires_in_s": 1209600, "max_uses": 20}
            ]
        }
    )

    label: str = Field(default="", max_length=200, examples=["Atelier mémoire, mai 2026"])
    expires_in_s: int | None = Field(
        default=None, gt=0, le=366 * 24 * 3600, description="Default from the server settings."
    )
    max_uses: int = Field(default=1, ge=1, le=1000)


InvitationState = Literal["active", "expired", "revoked", "used_up"]


class InvitationPublic(BaseModel):
    """An invitation as editors see it (never its code)."""

    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int
    state: InvitationState

    @classmethod
    def of(cls, row: Invitation, state: InvitationState) -> InvitationPublic:
        """Build from a row and its state now."""
        return cls(
            id=row.id,
            label=row.label,
            created_at=row.created_at,
            expires_at=row.expires_at,
            max_uses=row.max_uses,
            uses=row.uses,
            state=state,
        )


class InvitationCreated(InvitationPublic):
    """A new invitation with its code, shown this once only."""

    code: str = Field(description="Shown once: only its hash is stored.")
    path: str = Field(description="Where the resident submits, relative to the API.")


class InvitationInfo(BaseModel):
    """What a resident sees when opening an invitation link."""

    organisation: str
    label: str
    expires_at: datetime
    uses_left: int


class InvitedContribution(Strict):
    """The JSON part of a resident's submission through an invitation link."""

    title: str = Field(min_length=1, max_length=300)
    language: LanguageTag = Field(
        examples=["fr"],
        description="A registered BCP 47 language tag.",
        json_schema_extra={"pattern": LANGUAGE_SHAPE},
    )
    contributor_name: str = Field(min_length=1, max_length=200)
    text: str | None = Field(default=None, max_length=20_000)
    credits: list[Credit] = Field(default_factory=list)
    licence: str | None = Field(default=None, max_length=100)
    consent: ConsentFields


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON Schema with its definitions written in place (no ``$ref`` left).

    For a schema that must stand alone inside another document, such as one part of a
    multipart body, where references would resolve against the wrong root.
    """
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return inline(definitions[node["$ref"].rsplit("/", 1)[1]])
        return {key: inline(value) for key, value in node.items()}

    inlined: dict[str, Any] = inline(schema)
    return inlined


class InvitedReceipt(BaseModel):
    """What a resident gets back: enough to refer to the submission, nothing more."""

    contribution_id: int
    consent_id: int
    status: str
