"""Server settings, read from ``BALADEUR_*`` environment variables."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from media.limits import MediaLimits
from server.render_limits import RenderLimits


class Settings(BaseSettings):
    """Every setting has a default that suits the embedded mode on one laptop."""

    model_config = SettingsConfigDict(env_prefix="BALADEUR_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Database, blobs and keys.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default a SpatiaLite file in the data directory. "
        "PostGIS: postgresql+psycopg://user:password@host/db",
    )
    blob_dir: Path | None = Field(default=None, description="Local blob directory.")
    secret_key: SecretStr | None = Field(
        default=None, description="Signs sessions; generated into the data directory if unset."
    )
    public_base_url: str | None = Field(
        default=None,
        description="Address that links, QR codes and posters start with; default the "
        "address each request reached (its Host, and the scheme a trusted proxy forwards).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Web origins allowed to call the API from a browser, e.g. ["https://a.org"].',
    )
    log_level: str = Field(default="INFO")
    log_format: Literal["json", "text"] = Field(
        default="json", description="JSON lines with request ids, or plain text."
    )
    spatialite_library: str = Field(
        default="mod_spatialite", description="Name or path of the SpatiaLite extension."
    )
    blob_backend: Literal["local", "s3"] = Field(default="local")
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = Field(default=None, description="For S3-compatible stores.")
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    redis_url: str | None = Field(
        default=None, description="Job queue on Redis; default an embedded SQLite queue."
    )
    workers: int = Field(default=0, ge=0, description="Job workers; 0 means one per core.")
    visitor_read_threads: int = Field(
        default=0,
        ge=0,
        description="Threads answering visitors' reads at once (catalogue, trail pages, bundle "
        "look-ups), per server process; 0 means two per core. More helps only a database "
        "far away.",
    )
    serve_workers: int = Field(
        default=1,
        ge=1,
        description="HTTP worker processes of `baladeur serve` (its --workers); more than one "
        "serves requests on several cores (the embedded mode's job threads then run in the "
        "parent process, once).",
    )
    inprocess_worker: bool = Field(
        default=True, description="Run jobs inside `baladeur serve` (embedded mode)."
    )
    job_timeout_s: float = Field(default=3600, gt=0, description="Wall-clock limit of one encode.")
    max_upload_bytes: int = Field(default=2 * 1024**3, gt=0)
    max_duration_s: float = Field(default=4 * 3600, gt=0)
    signing_key: SecretStr | None = Field(
        default=None, description="Base64 Ed25519 private key; default a key in the data dir."
    )
    bundle_warning_bytes: int = Field(default=150 * 1024**2, gt=0)
    render_max_walk_s: float = Field(
        default=RenderLimits.max_walk_s,
        gt=0,
        description="Longest simulated walk the studio may render.",
    )
    render_max_fixes: int = Field(
        default=RenderLimits.max_fixes, ge=2, description="Most fixes one render request may send."
    )
    renders_kept: int = Field(
        default=RenderLimits.kept,
        ge=1,
        description="Renders kept per trail; older ones are deleted.",
    )
    basemap_tile_url: str | None = Field(
        default=None,
        description="A {z}/{x}/{y} raster tile URL; set, publishing packs an offline base map.",
    )
    basemap_min_zoom: int = Field(default=13, ge=0, le=22)
    basemap_max_zoom: int = Field(default=17, ge=0, le=22)
    basemap_max_bytes: int = Field(default=20 * 1024**2, gt=0)
    basemap_attribution: str = Field(default="", description="Credit shown on the map.")
    basemap_timeout_s: float = Field(default=10, gt=0, description="Limit of one tile request.")
    token_ttl_s: int = Field(
        default=7 * 24 * 3600, gt=0, description="Lifetime of a sign-in token."
    )
    session_ttl_s: int = Field(
        default=12 * 3600,
        gt=0,
        description="Lifetime of a studio sign-in (its HttpOnly session cookie and token).",
    )
    sign_in_attempts: int = Field(
        default=10, gt=0, description="Failed sign-ins allowed per account and per address."
    )
    sign_in_window_s: int = Field(default=900, gt=0, description="Window of that limit.")
    access_code_attempts: int = Field(
        default=10,
        gt=0,
        description="Access-code attempts allowed per client address and per private trail.",
    )
    access_code_window_s: int = Field(default=900, gt=0, description="Window of that limit.")
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Proxies whose X-Forwarded-For is believed (addresses or networks, or "
        '"*"); none by default, so a client cannot choose the address it is limited under.',
    )
    invitation_ttl_s: int = Field(
        default=30 * 24 * 3600, gt=0, description="Default lifetime of a contributor invitation."
    )
    upload_ttl_s: int = Field(
        default=24 * 3600, gt=0, description="How long an unfinished resumable upload is kept."
    )
    max_open_uploads: int = Field(
        default=20, gt=0, description="Unfinished resumable uploads one user may have at once."
    )
    max_open_upload_bytes: int = Field(
        default=10 * 1024**3,
        gt=0,
        description="Total declared length of one user's unfinished resumable uploads.",
    )
    tile_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Base map tiles of the studio's map (a Leaflet URL template).",
    )
    tile_attribution: str = Field(
        default="© OpenStreetMap contributors",
        description="Attribution shown on the studio's map for those tiles (plain text).",
    )
    geocoder_url: str | None = Field(
        default=None,
        description="Base URL of a Nominatim-compatible geocoder (its /search is asked); set, "
        "the studio offers a search for places by name.",
    )
    geocoder_timeout_s: float = Field(
        default=5, gt=0, description="Limit of one request to that geocoder."
    )
    send_stall_timeout_s: float = Field(
        default=60,
        gt=0,
        description="A download whose client takes no 256 KiB slice in this many seconds is "
        "dropped (a stalled client then holds no buffer and no connection).",
    )
    scheduler_interval_s: float = Field(
        default=30,
        ge=0,
        description="Seconds between checks for scheduled releases due and expired uploads; "
        "0 turns the check off in this process.",
    )
    scheduler_lease_s: float = Field(
        default=60,
        gt=0,
        description="One process at a time runs those checks, under a lease in the database "
        "renewed every quarter of this; when its holder dies, another takes over within it "
        "and a quarter.",
    )

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        # "10.0.0.1,10.0.0.2" as uvicorn's own setting reads, or a JSON list.
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("basemap_tile_url")
    @classmethod
    def _tile_template(cls, value: str | None) -> str | None:
        # Filled with str.format at publish: exactly {z}, {x} and {y}, nothing else in braces.
        if not value:
            return None
        names = set(re.findall(r"\{([^{}]*)\}", value))
        if not value.startswith(("http://", "https://")) or names != {"z", "x", "y"}:
            raise ValueError("a tile URL is http(s) with {z}, {x} and {y} and no other {…}")
        return value

    @field_validator("geocoder_url")
    @classmethod
    def _geocoder(cls, value: str | None) -> str | None:
        # The server asks {url}/search: a base URL over http(s), without a query of its own.
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError("a geocoder URL is http(s)://host[/path], without a query")
        return value.rstrip("/")

    def proxy_options(self) -> dict[str, Any]:
        """Uvicorn's options for forwarded headers: believed only from the named proxies."""
        if not self.forwarded_allow_ips:
            # uvicorn would otherwise trust 127.0.0.1 by default.
            return {"proxy_headers": False, "forwarded_allow_ips": ""}
        return {"proxy_headers": True, "forwarded_allow_ips": ",".join(self.forwarded_allow_ips)}

    @cached_property
    def resolved_data_dir(self) -> Path:
        """The data directory as an absolute path, created on first use."""
        path = self.data_dir.expanduser().resolve()
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Accounts, keys and the database live here: the server's user alone may read them.
        with contextlib.suppress(PermissionError):
            if path.stat().st_mode & 0o077:
                path.chmod(0o700)
        return path

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SpatiaLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'baladeur.db'}"

    @property
    def upload_dir(self) -> Path:
        """This process's scratch space for resumable uploads: a chunk is spooled here as it
        arrives and a finished upload staged here; their kept bytes live in the blob store."""
        return self.resolved_data_dir / "uploads"

    @property
    def resolved_blob_dir(self) -> Path:
        """The local blob directory, defaulting to ``blobs`` in the data directory."""
        return (self.blob_dir or self.resolved_data_dir / "blobs").expanduser().resolve()

    def render_limits(self) -> RenderLimits:
        """The limits of the studio's offline renders of simulated walks."""
        return RenderLimits(
            max_walk_s=self.render_max_walk_s,
            max_fixes=self.render_max_fixes,
            kept=self.renders_kept,
        )

    def media_limits(self) -> MediaLimits:
        """The limits uploaded and imported media are checked against."""
        return MediaLimits(max_bytes=self.max_upload_bytes, max_duration_s=self.max_duration_s)

    def resolved_secret_key(self) -> str:
        """The secret key: from the environment, or generated once and kept owner-only."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        key_file = self.resolved_data_dir / "secret.key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return key_file.read_text().strip()
