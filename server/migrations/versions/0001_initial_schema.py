"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 13:39:58.608691
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CURRENT_RELEASE_FK = "fk_trails_current_release_id_releases"


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _current_release_fk_inline() -> list[sa.ForeignKeyConstraint]:
    # trails and releases reference each other. SQLite cannot add a foreign key later but
    # accepts one to a table not created yet; PostgreSQL adds it once releases exists.
    if not _is_sqlite():
        return []
    return [
        sa.ForeignKeyConstraint(
            ["current_release_id"], ["releases.id"], name=CURRENT_RELEASE_FK, ondelete="SET NULL"
        )
    ]


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisations_slug")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "voice",
                "immersive",
                name="audiorole",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "ready",
                "failed",
                name="assetstatus",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("channels", sa.Integer(), nullable=True),
        sa.Column("sample_rate", sa.Integer(), nullable=True),
        sa.Column("codec", sa.String(length=50), nullable=True),
        sa.Column("loudness_lufs", sa.Float(), nullable=True),
        sa.Column("loudness_range_lu", sa.Float(), nullable=True),
        sa.Column("true_peak_dbtp", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_assets_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("organisation_id", "sha256", name=op.f("uq_assets_organisation_id")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assets_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assets_sha256"), ["sha256"], unique=False)

    op.create_table(
        "memberships",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "owner",
                "editor",
                "contributor",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("organisation_id", "user_id", name=op.f("pk_memberships")),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "voice",
                "immersive",
                name="audiorole",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("licence", sa.String(length=100), nullable=True),
        sa.Column("credits", sa.JSON(), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_stories_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stories_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "renditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("params_hash", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_renditions_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renditions")),
        sa.UniqueConstraint(
            "asset_id", "profile", "params_hash", name=op.f("uq_renditions_asset_id")
        ),
    )
    with op.batch_alter_table("renditions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renditions_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_renditions_sha256"), ["sha256"], unique=False)

    op.create_table(
        "story_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("audio_asset_id", sa.Integer(), nullable=True),
        sa.Column("transcript_vtt", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audio_asset_id"],
            ["assets.id"],
            name=op.f("fk_story_versions_audio_asset_id_assets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_versions_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_versions")),
        sa.UniqueConstraint("story_id", "language", name=op.f("uq_story_versions_story_id")),
    )
    with op.batch_alter_table("story_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_story_versions_audio_asset_id"), ["audio_asset_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_story_versions_story_id"), ["story_id"], unique=False)

    op.create_geospatial_table(
        "trails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "free",
                "sequential",
                name="trailmode",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "public",
                "unlisted",
                "private",
                name="visibility",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("access_code_hash", sa.String(length=255), nullable=True),
        sa.Column("licence", sa.String(length=100), nullable=True),
        sa.Column("credits", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cover_asset_id", sa.Integer(), nullable=True),
        sa.Column(
            "route",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("current_release_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cover_asset_id"],
            ["assets.id"],
            name=op.f("fk_trails_cover_asset_id_assets"),
            ondelete="SET NULL",
        ),
        *_current_release_fk_inline(),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_trails_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trails")),
        sa.UniqueConstraint("slug", name=op.f("uq_trails_slug")),
    )
    with op.batch_alter_table("trails", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trails_current_release_id"), ["current_release_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_trails_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_geospatial_table(
        "ambient_layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trail_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("min_distance_m", sa.Float(), nullable=False),
        sa.Column("max_distance_m", sa.Float(), nullable=False),
        sa.Column("min_gain_db", sa.Float(), nullable=False),
        sa.Column("max_gain_db", sa.Float(), nullable=False),
        sa.Column(
            "zone_kind",
            sa.Enum(
                "circle",
                "polygon",
                name="zonekind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "center",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column(
            "polygon",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "(zone_kind = 'circle' AND center IS NOT NULL AND radius_m IS NOT NULL) OR (zone_kind = 'polygon' AND polygon IS NOT NULL)",
            name=op.f("ck_ambient_layers_zone_shape"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_ambient_layers_asset_id_assets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trail_id"],
            ["trails.id"],
            name=op.f("fk_ambient_layers_trail_id_trails"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ambient_layers")),
        sa.UniqueConstraint("trail_id", "key", name=op.f("uq_ambient_layers_trail_id")),
    )
    with op.batch_alter_table("ambient_layers", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_ambient_layers_center",
            ["center"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_geospatial_index(
            "idx_ambient_layers_polygon",
            ["polygon"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index(batch_op.f("ix_ambient_layers_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ambient_layers_trail_id"), ["trail_id"], unique=False)

    op.create_geospatial_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trail_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "start_point",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "extent",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "visibility",
            sa.Enum(
                "public",
                "unlisted",
                "private",
                name="visibility",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["trail_id"],
            ["trails.id"],
            name=op.f("fk_releases_trail_id_trails"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("trail_id", "number", name=op.f("uq_releases_trail_id")),
    )
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_releases_extent",
            ["extent"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_geospatial_index(
            "idx_releases_start_point",
            ["start_point"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index(batch_op.f("ix_releases_trail_id"), ["trail_id"], unique=False)

    if not _is_sqlite():
        op.create_foreign_key(
            CURRENT_RELEASE_FK,
            "trails",
            "releases",
            ["current_release_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_geospatial_table(
        "stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trail_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column(
            "zone_kind",
            sa.Enum(
                "circle",
                "polygon",
                name="zonekind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "center",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column(
            "polygon",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "(zone_kind = 'circle' AND center IS NOT NULL AND radius_m IS NOT NULL) OR (zone_kind = 'polygon' AND polygon IS NOT NULL)",
            name=op.f("ck_stops_zone_shape"),
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_stops_story_id_stories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["trail_id"], ["trails.id"], name=op.f("fk_stops_trail_id_trails"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stops")),
        sa.UniqueConstraint("trail_id", "key", name=op.f("uq_stops_trail_id")),
    )
    with op.batch_alter_table("stops", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_stops_center", ["center"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_geospatial_index(
            "idx_stops_polygon",
            ["polygon"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index(batch_op.f("ix_stops_story_id"), ["story_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stops_trail_id"), ["trail_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stops_trail_id"))
        batch_op.drop_index(batch_op.f("ix_stops_story_id"))
        batch_op.drop_geospatial_index(
            "idx_stops_polygon", postgresql_using="gist", column_name="polygon"
        )
        batch_op.drop_geospatial_index(
            "idx_stops_center", postgresql_using="gist", column_name="center"
        )

    op.drop_geospatial_table("stops")
    if not _is_sqlite():
        op.drop_constraint(CURRENT_RELEASE_FK, "trails", type_="foreignkey")
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_releases_trail_id"))
        batch_op.drop_geospatial_index(
            "idx_releases_start_point", postgresql_using="gist", column_name="start_point"
        )
        batch_op.drop_geospatial_index(
            "idx_releases_extent", postgresql_using="gist", column_name="extent"
        )

    op.drop_geospatial_table("releases")
    with op.batch_alter_table("ambient_layers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ambient_layers_trail_id"))
        batch_op.drop_index(batch_op.f("ix_ambient_layers_asset_id"))
        batch_op.drop_geospatial_index(
            "idx_ambient_layers_polygon", postgresql_using="gist", column_name="polygon"
        )
        batch_op.drop_geospatial_index(
            "idx_ambient_layers_center", postgresql_using="gist", column_name="center"
        )

    op.drop_geospatial_table("ambient_layers")
    with op.batch_alter_table("trails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trails_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_trails_current_release_id"))

    op.drop_geospatial_table("trails")
    with op.batch_alter_table("story_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_versions_story_id"))
        batch_op.drop_index(batch_op.f("ix_story_versions_audio_asset_id"))

    op.drop_table("story_versions")
    with op.batch_alter_table("renditions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renditions_sha256"))
        batch_op.drop_index(batch_op.f("ix_renditions_asset_id"))

    op.drop_table("renditions")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_organisation_id"))

    op.drop_table("stories")
    op.drop_table("memberships")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assets_sha256"))
        batch_op.drop_index(batch_op.f("ix_assets_organisation_id"))

    op.drop_table("assets")
    op.drop_table("users")
    op.drop_table("organisations")
