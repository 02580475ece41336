"""SQLAlchemy models: organisations, people, stories, media, trails, stops and releases."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from trails.vocabulary import AudioRole, TrailMode, Visibility

SRID = 4326


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with named constraints so that migrations can name them."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store in UTC; a naive value is taken to be UTC already."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back with the UTC zone attached."""
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings with a CHECK, the same on both backends.
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        name=cls.__name__.lower(),
    )


def _point() -> Geometry:
    return Geometry("POINT", srid=SRID, spatial_index=True)


def _polygon() -> Geometry:
    return Geometry("POLYGON", srid=SRID, spatial_index=True)


class Role(enum.StrEnum):
    """A member's role in an organisation."""

    owner = "owner"
    editor = "editor"
    contributor = "contributor"


class AssetStatus(enum.StrEnum):
    """Where an asset is in the ingest pipeline."""

    pending = "pending"
    ready = "ready"
    failed = "failed"


class StoryStatus(enum.StrEnum):
    """Where a story is in review: editors' stories start approved, contributions submitted."""

    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


class ReleaseState(enum.StrEnum):
    """A release waits for a second editor, or for its time, before it can go live."""

    awaiting_approval = "awaiting"
    scheduled = "scheduled"
    live = "live"
    superseded = "superseded"


class RenderStatus(enum.StrEnum):
    """Where an offline render of a simulated walk is."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ZoneKind(enum.StrEnum):
    """The shape of a stop's or ambience's zone."""

    circle = "circle"
    polygon = "polygon"


class Timestamps:
    """Creation and update times."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Organisation(Timestamps, Base):
    """A team: a heritage collective or a festival."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    requires_second_approval: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class User(Timestamps, Base):
    """A person who signs in: editor, contributor or owner somewhere."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class Membership(Base):
    """A user's role in an organisation."""

    __tablename__ = "memberships"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Asset(Timestamps, Base):
    """An uploaded media file, content-addressed by the sha256 of the original.

    Editors share the organisation's rows: the same bytes give the same asset. A contributor
    (or a resident) who uploads bytes another member already has gets a row of their own,
    so an upload never hands anyone another member's asset or file name.
    """

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("organisation_id", "sha256", "uploaded_by_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bytes: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[AudioRole] = mapped_column(_enum(AudioRole), default=AudioRole.voice)
    status: Mapped[AssetStatus] = mapped_column(_enum(AssetStatus), default=AssetStatus.pending)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    duration_s: Mapped[float | None] = mapped_column(Float)
    channels: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    codec: Mapped[str | None] = mapped_column(String(50))
    loudness_lufs: Mapped[float | None] = mapped_column(Float)
    loudness_range_lu: Mapped[float | None] = mapped_column(Float)
    true_peak_dbtp: Mapped[float | None] = mapped_column(Float)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # An edit (trim, fades) is stored as a new asset that remembers its source and the edit.
    derived_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL"), index=True
    )
    edit: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    renditions: Mapped[list[Rendition]] = relationship(
        back_populates="asset", cascade="all, delete-orphan"
    )


class Rendition(Base):
    """An asset encoded for phones under a profile (codec family) for its role."""

    __tablename__ = "renditions"
    __table_args__ = (UniqueConstraint("asset_id", "profile", "params_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    profile: Mapped[str] = mapped_column(String(16))
    params_hash: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bytes: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(100))
    duration_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="renditions")


class Story(Timestamps, Base):
    """A narrative unit, reusable across trails, with credits, licence and consents."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    role: Mapped[AudioRole] = mapped_column(_enum(AudioRole), default=AudioRole.voice)
    licence: Mapped[str | None] = mapped_column(String(100))
    credits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    consents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[StoryStatus] = mapped_column(
        _enum(StoryStatus), default=StoryStatus.approved, index=True
    )
    # A contribution: who submitted it (a member, or a resident through an invitation).
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    contributor_name: Mapped[str | None] = mapped_column(String(200))
    # A photo sent with a contribution (blob ``photos/<sha256>``); never put in bundles.
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    versions: Mapped[list[StoryVersion]] = relationship(
        back_populates="story", cascade="all, delete-orphan", order_by="StoryVersion.language"
    )


class StoryVersion(Base):
    """One language of a story: audio clip, WebVTT transcript and text."""

    __tablename__ = "story_versions"
    __table_args__ = (UniqueConstraint("story_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(35))
    audio_asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("assets.id", ondelete="RESTRICT"), index=True
    )
    transcript_vtt: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)

    story: Mapped[Story] = relationship(back_populates="versions")
    audio: Mapped[Asset | None] = relationship()


class Trail(Timestamps, Base):
    """A trail being authored; what visitors see comes from its current release."""

    __tablename__ = "trails"
    __table_args__ = (
        # A draft's slug is unique in its organisation only: creating one never tells
        # whether another organisation has a draft of that name.
        UniqueConstraint("organisation_id", "slug"),
        Index("uq_trails_address", "address", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(80))
    # The public address (/v1/trails/{address}, /play/{address}), claimed server-wide when
    # the trail is first published; always its slug.
    address: Mapped[str | None] = mapped_column(String(80))
    titles: Mapped[dict[str, str]] = mapped_column(JSON)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    languages: Mapped[list[str]] = mapped_column(JSON)
    mode: Mapped[TrailMode] = mapped_column(_enum(TrailMode), default=TrailMode.free)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility), default=Visibility.public)
    access_code_hash: Mapped[str | None] = mapped_column(String(255))
    licence: Mapped[str | None] = mapped_column(String(100))
    credits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cover_asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    cover_sha256: Mapped[str | None] = mapped_column(String(64))  # a JPEG in the blob store
    route: Mapped[WKBElement | None] = mapped_column(
        Geometry("LINESTRING", srid=SRID, spatial_index=False)
    )
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    current_release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL", use_alter=True), index=True
    )

    stops: Mapped[list[Stop]] = relationship(
        back_populates="trail", cascade="all, delete-orphan", order_by="Stop.position"
    )
    ambience: Mapped[list[AmbientLayer]] = relationship(
        back_populates="trail", cascade="all, delete-orphan", order_by="AmbientLayer.key"
    )
    objects: Mapped[list[SoundObject]] = relationship(
        back_populates="trail", cascade="all, delete-orphan", order_by="SoundObject.ordinal"
    )
    releases: Mapped[list[Release]] = relationship(
        back_populates="trail",
        cascade="all, delete-orphan",
        foreign_keys="Release.trail_id",
        order_by="Release.number",
    )
    current_release: Mapped[Release | None] = relationship(
        foreign_keys=[current_release_id], post_update=True
    )

    __mapper_args__ = {"version_id_col": version}


class ZoneColumns:
    """A circle (centre and radius) or a polygon, in WGS84."""

    zone_kind: Mapped[ZoneKind] = mapped_column(_enum(ZoneKind))
    center: Mapped[WKBElement | None] = mapped_column(_point())
    radius_m: Mapped[float | None] = mapped_column(Float)
    polygon: Mapped[WKBElement | None] = mapped_column(_polygon())

    @staticmethod
    def shape_check() -> CheckConstraint:
        """The constraint that a circle has a centre and radius and a polygon its shape."""
        return CheckConstraint(
            "(zone_kind = 'circle' AND center IS NOT NULL AND radius_m IS NOT NULL) OR "
            "(zone_kind = 'polygon' AND polygon IS NOT NULL)",
            name="zone_shape",
        )


class Stop(ZoneColumns, Base):
    """A place on a trail: a zone, trigger rules and the story that plays there."""

    __tablename__ = "stops"
    __table_args__ = (
        UniqueConstraint("trail_id", "key"),
        ZoneColumns.shape_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trail_id: Mapped[int] = mapped_column(ForeignKey("trails.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    titles: Mapped[dict[str, str]] = mapped_column(JSON)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    # Where the story is heard from, [longitude, latitude] (trigger semantics 15); ``position``
    # above is the stop's place in the order.
    narration_position: Mapped[list[float] | None] = mapped_column(JSON)
    # Without audio on purpose (a place to pause, a condition's landmark): the checks then
    # accept it; a stop without audio and without this flag is an error that stops publishing.
    silent: Mapped[bool] = mapped_column(default=False)

    trail: Mapped[Trail] = relationship(back_populates="stops")
    story: Mapped[Story | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class AmbientLayer(ZoneColumns, Base):
    """A looping sound of a trail whose gain follows the distance to its zone."""

    __tablename__ = "ambient_layers"
    __table_args__ = (
        UniqueConstraint("trail_id", "key"),
        ZoneColumns.shape_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trail_id: Mapped[int] = mapped_column(ForeignKey("trails.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"), index=True)
    min_distance_m: Mapped[float] = mapped_column(Float)
    max_distance_m: Mapped[float] = mapped_column(Float)
    min_gain_db: Mapped[float] = mapped_column(Float)
    max_gain_db: Mapped[float] = mapped_column(Float)

    trail: Mapped[Trail] = relationship(back_populates="ambience")
    asset: Mapped[Asset] = relationship()


class SoundObject(Base):
    """A sound placed at a point of a trail and heard from there (trigger semantics 14)."""

    __tablename__ = "sound_objects"
    __table_args__ = (UniqueConstraint("trail_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trail_id: Mapped[int] = mapped_column(ForeignKey("trails.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    ordinal: Mapped[int] = mapped_column(Integer)
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"), index=True)
    # [longitude, latitude]: checked by the source format's rules, read only to build bundles.
    position: Mapped[list[float]] = mapped_column(JSON)
    radius_m: Mapped[float] = mapped_column(Float)
    ref_distance_m: Mapped[float] = mapped_column(Float)
    rolloff: Mapped[str] = mapped_column(String(16))
    gain_db: Mapped[float] = mapped_column(Float)
    loop: Mapped[bool] = mapped_column()
    # requires, time_windows, approach, facing: as a source names them (like a stop's rules).
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)

    trail: Mapped[Trail] = relationship(back_populates="objects")
    asset: Mapped[Asset] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Release(Base):
    """An immutable published version of a trail; its geometry feeds the public catalogue."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("trail_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trail_id: Mapped[int] = mapped_column(ForeignKey("trails.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    start_point: Mapped[WKBElement] = mapped_column(_point(), nullable=False)
    extent: Mapped[WKBElement] = mapped_column(_polygon(), nullable=False)
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[ReleaseState] = mapped_column(_enum(ReleaseState), default=ReleaseState.live)
    notes: Mapped[str | None] = mapped_column(Text)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Names, not foreign keys: a release's history outlives accounts.
    published_by: Mapped[str | None] = mapped_column(String(320))
    approved_by: Mapped[str | None] = mapped_column(String(320))
    went_live_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The catalogue's columns, copied from the manifest at publish time so that a listing
    # never loads the manifest. Nullable only because SQLite adds NOT NULL columns solely by
    # rebuilding the table; every release gets them (migration 0013 filled the older ones).
    title: Mapped[dict[str, str]] = mapped_column(JSON, nullable=True)
    description: Mapped[dict[str, str]] = mapped_column(JSON, nullable=True)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=True)
    mode: Mapped[str] = mapped_column(String(20), nullable=True)
    length_m: Mapped[float] = mapped_column(Float, nullable=True)
    stop_count: Mapped[int] = mapped_column(Integer, nullable=True)
    bbox: Mapped[list[float]] = mapped_column(JSON, nullable=True)
    cover: Mapped[str | None] = mapped_column(String(200))
    # Title, description and stop titles, folded (server.search); the text search index.
    search_text: Mapped[str] = mapped_column(Text, nullable=True)

    trail: Mapped[Trail] = relationship(back_populates="releases", foreign_keys=[trail_id])
    bundles: Mapped[list[ReleaseBundle]] = relationship(
        back_populates="release", cascade="all, delete-orphan", order_by="ReleaseBundle.profile"
    )
    media: Mapped[list[ReleaseMedia]] = relationship(cascade="all, delete-orphan")


class ReleaseBundle(Base):
    """One audio profile of a release: its signed manifest and its bundle blob."""

    __tablename__ = "release_bundles"
    __table_args__ = (UniqueConstraint("release_id", "profile"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    profile: Mapped[str] = mapped_column(String(16))
    # The exact signed bytes: re-serialising could change them and break the signature.
    manifest_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[dict[str, Any]] = mapped_column(JSON)
    bundle_sha256: Mapped[str] = mapped_column(String(64), index=True)
    bundle_bytes: Mapped[int] = mapped_column(BigInteger)
    size_report: Mapped[dict[str, Any]] = mapped_column(JSON)

    release: Mapped[Release] = relationship(back_populates="bundles")


class ReleaseMedia(Base):
    """A content-addressed file that a release's bundles contain, served on its own too."""

    __tablename__ = "release_media"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    path: Mapped[str] = mapped_column(String(100))
    bytes: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(100))


class ApiToken(Base):
    """A bearer token; only its hash is kept, so a leaked database leaks no session."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Invitation(Base):
    """A link through which a resident, without an account, submits a story; it expires."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    # What the link is for: a trail, a stop of it, a topic; what residents may choose.
    trail_id: Mapped[int | None] = mapped_column(ForeignKey("trails.id", ondelete="SET NULL"))
    # Added after the tables (stories name invitations, stops name stories: a cycle).
    stop_id: Mapped[int | None] = mapped_column(
        ForeignKey("stops.id", ondelete="SET NULL", use_alter=True)
    )
    topic: Mapped[str] = mapped_column(String(200), default="")
    # None (a link from before these existed) means every one the server offers.
    languages: Mapped[list[str] | None] = mapped_column(JSON)
    licences: Mapped[list[str] | None] = mapped_column(JSON)


class MemberInvitation(Base):
    """An invitation to join an organisation with a role, for one e-mail address.

    Nobody becomes a member without accepting: signed in with that address, or through the
    invitation's secret link (creating their account there if they have none). Only a hash
    of the link's code is kept.
    """

    __tablename__ = "member_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()


class ConsentRecord(Base):
    """Who agreed to what for a story, when, and whether they have withdrawn."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    person: Mapped[str] = mapped_column(String(200))
    publication: Mapped[bool] = mapped_column(default=False)
    archive: Mapped[bool] = mapped_column(default=False)
    given_on: Mapped[datetime] = mapped_column(UTCDateTime())
    form_sha256: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A resident's choices: the licence id (server.licences) and how they are credited.
    licence: Mapped[str | None] = mapped_column(String(40))
    credit: Mapped[str | None] = mapped_column(String(20))
    # The hash of the resident's own withdrawal code (the code itself is never stored).
    withdrawal_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # When a withdrawal finished: the audio left every bundle and the blob store.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PrivateFile(Base):
    """An organisation's hold on a private file it uploaded: a story photo or a consent form.

    The bytes are stored once under their hash; a hash names the file only for those who
    hold it (a member's own upload, or any of the organisation's for its editors), so that
    nobody can reach another team's file, or learn that it exists, by its hash.
    """

    __tablename__ = "private_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # "photo" or "form"
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """What happened to an object, by whom; never audio, never a visitor's position."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Upload(Base):
    """A resumable upload in progress (tus): its chunks are pieces in the blob store.

    ``offset`` is what every replica agrees has been received: it only moves by a
    compare-and-set that records the chunk's piece in the same transaction.
    """

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE")
    )
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    filename: Mapped[str] = mapped_column(String(255))
    role: Mapped[AudioRole] = mapped_column(_enum(AudioRole), default=AudioRole.voice)
    expected_sha256: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(100))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The whole file was refused at the end (not audio, wrong checksum): it cannot resume.
    refused: Mapped[bool] = mapped_column(default=False)


class UploadPiece(Base):
    """One accepted chunk of a resumable upload, stored in the blob store under ``key``."""

    __tablename__ = "upload_pieces"

    upload_id: Mapped[str] = mapped_column(
        ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True
    )
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(200))


class AttemptCounter(Base):
    """Attempts at a guarded secret (a password, an access code) under one key, in a window.

    Shared by every API replica through the database; ``key`` is a keyed hash, so the table
    holds neither email addresses nor client addresses.
    """

    __tablename__ = "attempt_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    # Unix seconds: plain integers compare and add the same way on SQLite and PostgreSQL.
    window_ends: Mapped[int] = mapped_column(BigInteger, index=True)


class SchedulerLease(Base):
    """Which process runs the periodic duties, and until when (one row per duty).

    Every ``serve`` and ``worker`` process competes for the row; the holder renews it, and
    another takes it over once ``expires_ms`` has passed without a renewal.
    """

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    # Milliseconds of the database's clock, so that replicas' clocks need not agree.
    expires_ms: Mapped[int] = mapped_column(BigInteger)


class Render(Base):
    """An author's simulated walk mixed to a sound file (disposable: a few kept per trail).

    The walk is an author's drawing in the studio, never a visitor's position.
    """

    __tablename__ = "renders"

    # A random hex id: it names the blob too, so two databases sharing a store never collide.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    trail_id: Mapped[int] = mapped_column(ForeignKey("trails.id", ondelete="CASCADE"), index=True)
    status: Mapped[RenderStatus] = mapped_column(_enum(RenderStatus), default=RenderStatus.queued)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # {"fixes": [[t, lat, lon, accuracy_m], ...], "started_at": unix seconds}
    walk: Mapped[dict[str, Any]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(35))
    binaural: Mapped[bool] = mapped_column()
    format: Mapped[str] = mapped_column(String(8))
    duration_s: Mapped[float | None] = mapped_column(Float)
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    requested_by: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
