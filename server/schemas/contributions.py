"""Schemas of consents, contributions (submitted stories) and invitations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, field_validator

from server.consents import publishable
from server.db.models import ConsentRecord, Invitation, Story
from server.licences import LICENCES, CreditStyle, credit_shown
from server.placements import Placement
from server.schemas.accounts import Strict
from server.schemas.stories import TITLE_MAX, StoryCreate, StoryPublic
from trails.i18n import INTERFACE_LANGUAGES
from trails.messages import msg
from trails.validation import LANGUAGE_SHAPE, LanguageTag

Sha256 = str
# A resident's short text beside the recording.
RESIDENT_TEXT_MAX = 2000


def _one_of(allowed: tuple[str, ...], what: str) -> Callable[[str], str]:
    """A check that a string is one of ``allowed``."""

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(
                msg(
                    "{value} is not offered here: choose one of {allowed}",
                    value=value,
                    allowed=", ".join(allowed),
                )
            )
        return value

    return check


LicenceId = Annotated[
    str,
    AfterValidator(_one_of(tuple(LICENCES), "a licence")),
    Field(json_schema_extra={"enum": list(LICENCES)}),
]
ResidentLanguage = Annotated[
    str,
    AfterValidator(_one_of(INTERFACE_LANGUAGES, "a language")),
    Field(json_schema_extra={"enum": list(INTERFACE_LANGUAGES)}),
]


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
            raise ValueError(msg("a consent cannot be dated in the future"))
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
    removed_at: datetime | None = Field(
        default=None, description="When a withdrawal had removed the audio everywhere."
    )

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
            removed_at=row.removed_at,
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


class ConsentSummary(BaseModel):
    """The standing consent (the latest not withdrawn), as the review screen reads it."""

    publication: bool
    archive: bool
    licence: str | None = Field(description="A licence id a resident chose, if any.")
    credit: str | None = Field(description="How a resident chose to be credited, if they did.")
    person: str
    credit_shown: str | None = Field(
        description="What visitors read: the full name, the first name, initials, or nothing."
    )


class PlacementPublic(BaseModel):
    """A stop that tells the story; ``live``: its trail's live release already plays it."""

    trail_id: int
    trail_title: str
    stop_id: int
    stop_title: str
    live: bool


class ContributionPublic(StoryPublic):
    """A contribution: a story under review, with its consent records and placements."""

    consents: list[ConsentPublic]
    consent_summary: ConsentSummary | None = Field(
        description="The standing consent; null when every consent was withdrawn."
    )
    credit_shown: str | None = Field(
        description="What visitors read for a resident (by their credit choice); null for "
        "anonymous, or when the story credits people itself."
    )
    placements: list[PlacementPublic]

    @classmethod
    def build(
        cls, story: Story, consents: list[ConsentRecord], placements: list[Placement]
    ) -> ContributionPublic:
        """Build from a story, its consent records and the stops that tell it."""
        fields = StoryPublic.fields_of(story, publishable(story))
        standing = next((c for c in reversed(consents) if c.withdrawn_at is None), None)
        summary = None
        if standing is not None:
            name = story.contributor_name or standing.person
            summary = ConsentSummary(
                publication=standing.publication,
                archive=standing.archive,
                licence=standing.licence,
                credit=standing.credit,
                person=standing.person,
                credit_shown=credit_shown(name, standing.credit),
            )
        return cls(
            **fields,
            consents=[ConsentPublic.of(c) for c in consents],
            consent_summary=summary,
            credit_shown=summary.credit_shown if summary is not None else None,
            placements=[PlacementPublic(**vars(p)) for p in placements],
        )


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
                {
                    "label": "Atelier mémoire, mai 2026",
                    "expires_in_s": 1209600,
                    "max_uses": 20,
                    "topic": "Les cloches du quartier",
                    "languages": ["fr", "nl"],
                    "licences": ["cc-by-4.0", "archive-only"],
                }
            ]
        }
    )

    label: str = Field(default="", max_length=200, examples=["Atelier mémoire, mai 2026"])
    expires_in_s: int | None = Field(
        default=None, gt=0, le=366 * 24 * 3600, description="Default from the server settings."
    )
    max_uses: int = Field(default=1, ge=1, le=1000)
    trail_id: int | None = Field(default=None, description="A trail of the organisation.")
    stop_id: int | None = Field(default=None, description="A stop of that trail (needs trail_id).")
    topic: str = Field(default="", max_length=200, description="What residents are asked about.")
    languages: list[ResidentLanguage] = Field(
        default_factory=lambda: list(INTERFACE_LANGUAGES),
        min_length=1,
        description="The interface languages offered to residents (default all four).",
    )
    licences: list[LicenceId] = Field(
        default_factory=lambda: list(LICENCES),
        min_length=1,
        description="The licences a resident may choose from (default all).",
    )

    @field_validator("languages", "licences")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        # Kept in the order given, each once.
        return list(dict.fromkeys(value))


InvitationState = Literal["active", "expired", "revoked", "used_up"]


class Licence(BaseModel):
    """A licence a resident may choose: its identifier and English name."""

    id: str
    name: str


class InvitationPublic(BaseModel):
    """An invitation as editors see it (never its code)."""

    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int
    state: InvitationState
    trail_id: int | None
    stop_id: int | None
    topic: str
    languages: list[str]
    licences: list[str]
    trail_title: str | None
    stop_title: str | None
    contributions: int = Field(description="How many contributions the link brought.")

    @classmethod
    def of(
        cls, row: Invitation, state: InvitationState, about: InvitationAbout
    ) -> InvitationPublic:
        """Build from a row, its state now and the titles of what it is for."""
        return cls(
            id=row.id,
            label=row.label,
            created_at=row.created_at,
            expires_at=row.expires_at,
            max_uses=row.max_uses,
            uses=row.uses,
            state=state,
            trail_id=row.trail_id,
            stop_id=row.stop_id,
            topic=row.topic,
            languages=offered_languages(row),
            licences=offered_licences(row),
            trail_title=about.trail_title,
            stop_title=about.stop_title,
            contributions=row.uses,
        )


class InvitationCreated(InvitationPublic):
    """A new invitation with its code, shown this once only."""

    code: str = Field(description="Shown once: only its hash is stored.")
    path: str = Field(description="Where the resident submits, relative to the API.")
    page_url: str = Field(description="The page a resident opens: {public base}/contribute/{code}.")


class UploadLimits(BaseModel):
    """What a resident may send, read from where each limit is defined."""

    recording_types: list[str]
    recording_max_bytes: int
    photo_types: list[str]
    photo_max_bytes: int
    title_max: int
    text_max: int


class InvitationInfo(BaseModel):
    """What a resident sees when opening an invitation link."""

    organisation: str
    label: str
    topic: str
    trail_title: str | None
    stop_title: str | None
    languages: list[str]
    licences: list[Licence]
    expires_at: datetime
    uses_left: int
    limits: UploadLimits


class SheetRequest(Strict):
    """An invitation's code (shown once, so sent back) and how to print its link."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "inv_...", "lang": "fr", "format": "pdf"}]}
    )

    code: str = Field(min_length=1, max_length=200)
    lang: ResidentLanguage = "fr"
    format: Literal["pdf", "svg"] = Field(
        default="pdf", description="An A5 PDF sheet, or the QR code alone as SVG."
    )


class ResidentConsent(Strict):
    """What a resident agreed to; both answers are required, neither is assumed."""

    publication: bool = Field(description="Agrees to publication in trails.")
    archive: bool = Field(description="Agrees to the recording being kept in the archive.")
    person: str | None = Field(
        default=None, min_length=1, max_length=200, description="Default: the contributor's name."
    )
    given_on: date | None = Field(default=None, description="Default: today (UTC).")

    @field_validator("given_on")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value.toordinal() > datetime.now(UTC).date().toordinal() + 1:
            raise ValueError(msg("a consent cannot be dated in the future"))
        return value


class InvitedContribution(Strict):
    """The JSON part of a resident's submission through an invitation link."""

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    language: LanguageTag = Field(
        examples=["fr"],
        description="A registered BCP 47 language tag.",
        json_schema_extra={"pattern": LANGUAGE_SHAPE},
    )
    contributor_name: str = Field(
        min_length=1,
        max_length=200,
        validation_alias=AliasChoices("contributor_name", "name"),
        description="The resident's name (also accepted as ``name``); kept for the team.",
    )
    credit: CreditStyle = Field(description="How visitors will read the contributor's name.")
    licence: LicenceId = Field(description="One of the licences the link offers.")
    text: str | None = Field(default=None, max_length=RESIDENT_TEXT_MAX)
    recording_upload: str | None = Field(
        default=None,
        max_length=64,
        description="The id of a finished resumable upload of this invitation, instead of "
        "a recording part.",
    )
    consent: ResidentConsent


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
    """What a resident gets back: enough to refer to the submission, and to withdraw it."""

    contribution_id: int
    consent_id: int
    status: str
    withdrawal_code: str = Field(description="Shown once: only its hash is stored.")
    withdrawal_url: str = Field(
        description="{public base}/contribute/withdraw#{withdrawal_code}: the fragment never "
        "reaches the server."
    )


@dataclass(frozen=True)
class InvitationAbout:
    """The titles of the trail and stop an invitation is for, if any."""

    trail_title: str | None = None
    stop_title: str | None = None


def offered_languages(row: Invitation) -> list[str]:
    """The interface languages a link offers (all, for a link from before the choice)."""
    return list(row.languages or INTERFACE_LANGUAGES)


def offered_licences(row: Invitation) -> list[str]:
    """The licence ids a link offers (all, for a link from before the choice)."""
    return list(row.licences or LICENCES)
