"""Every blob key and media path, built here and nowhere else.

Stored data depends on these strings: a blob store full of files and databases of releases
name them, so changing one orphans what is stored. ``tests/test_layout.py`` checks that no
other module spells out one of the prefixes below.

Two families of names:

- **Media paths** (``media/<sha256><ext>``): the entry names of bundles, the media paths of
  trail sources pulled from or exported by a server, and the blob keys of everything a
  release publishes (renditions, transcripts, covers), which the catalogue serves by path.
- **Private blob keys**, one prefix per kind: originals as uploaded (and covers, beside
  them), waveforms, bundle zips, story photos, signed consent forms and walk renders.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath
from typing import Final

MEDIA_DIR: Final = "media/"
"""The folder of media files in a bundle or a trail source folder."""
ORIGINAL_PREFIX: Final = "originals/"
WAVEFORM_PREFIX: Final = "waveforms/"
BUNDLE_PREFIX: Final = "bundles/"
BASEMAP_PREFIX: Final = "basemaps/"
PHOTO_PREFIX: Final = "photos/"
CONSENT_FORM_PREFIX: Final = "consent-forms/"
RENDER_PREFIX: Final = "renders/"
"""Offline mixes of simulated walks (disposable): ``renders/<render id><ext>``."""
UPLOAD_PREFIX: Final = "uploads/"
"""Pieces of unfinished resumable uploads: ``uploads/<upload id>/<piece>``."""

TRANSCRIPT_EXTENSION: Final = ".vtt"
COVER_EXTENSION: Final = "jpg"
"""Covers are always stored re-encoded as JPEG (``server.covers``)."""
_BUNDLE_EXTENSION: Final = ".zip"
_BASEMAP_EXTENSION: Final = ".pmtiles"
_WAVEFORM_EXTENSION: Final = ".json"

_SHA256 = "[0-9a-f]{64}"
_EXTENSION = "[a-z0-9]{1,8}"
MEDIA_NAME_RE: Final = re.compile(rf"^{MEDIA_DIR}({_SHA256})\.({_EXTENSION})$")
"""``media/<64 hex>.<lowercase extension>``: the only media names a bundle may hold."""
MEDIA_NAME_PATTERN: Final = rf"^{MEDIA_DIR}{_SHA256}\.{_EXTENSION}$"
"""The same rule without groups, for JSON schemas."""


# Media paths


def media_name(sha256: str, extension: str) -> str:
    """A content-addressed media path; ``extension`` has its dot (or is empty)."""
    return f"{MEDIA_DIR}{sha256}{extension}"


def source_media_path(filename: str) -> str:
    """The media path of a file, by its own name, in a trail source folder's media folder."""
    return f"{MEDIA_DIR}{filename}"


def audio_name(sha256: str, filename: str) -> str:
    """The media path of an uploaded original: its hash and its file's extension, lower-cased."""
    return media_name(sha256, PurePosixPath(filename).suffix.lower())


def transcript_path(sha256: str) -> str:
    """The media path of a transcript whose UTF-8 text has this hash."""
    return media_name(sha256, TRANSCRIPT_EXTENSION)


def transcript_name(text: str | bytes) -> str:
    """The media path of a transcript: named by the hash of its UTF-8 text."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return transcript_path(hashlib.sha256(data).hexdigest())


def cover_path(sha256: str) -> str:
    """The cover's media path in a trail source and a bundle manifest."""
    return media_name(sha256, f".{COVER_EXTENSION}")


def media_sha256(path: str) -> str:
    """The hash a content-addressed media path is named by."""
    return PurePosixPath(path).stem


def published_media_key(path: str) -> str:
    """Blob key of a published media file (rendition, transcript, cover): its media path.

    Published media are stored under their bundle entry names, so that the catalogue serves
    ``/v1/media/<name>`` straight from the release's media table.
    """
    return path


def rendition_key(sha256: str, extension: str) -> str:
    """Blob key of an encoded rendition, named as in bundles (``extension`` with its dot)."""
    return published_media_key(media_name(sha256, extension))


# Private blob keys


def original_key(sha256: str) -> str:
    """The blob key of an original upload."""
    return f"{ORIGINAL_PREFIX}{sha256}"


def cover_key(sha256: str) -> str:
    """Blob key of a stored cover.

    Covers sit beside original uploads, keyed by hash, so that exporting a trail finds every
    media file of its source the same way.
    """
    return original_key(sha256)


def waveform_key(sha256: str) -> str:
    """Blob key of an asset's waveform peaks (JSON), for the studio."""
    return f"{WAVEFORM_PREFIX}{sha256}{_WAVEFORM_EXTENSION}"


def original_copies(sha256: str) -> tuple[str, ...]:
    """Every blob kept under an original's hash: the original itself and its waveform.

    Renditions have hashes of their own (:func:`rendition_key`). The withdrawal of consent
    deletes all of these, so a new kind of blob derived from an original belongs here.
    """
    return (original_key(sha256), waveform_key(sha256))


def bundle_key(sha256: str) -> str:
    """Blob key of a bundle zip."""
    return f"{BUNDLE_PREFIX}{sha256}{_BUNDLE_EXTENSION}"


def basemap_key(sha256: str) -> str:
    """Blob key of a release's base map archive (PMTiles), named by its hash."""
    return f"{BASEMAP_PREFIX}{sha256}{_BASEMAP_EXTENSION}"


def basemap_sha256(key: str) -> str:
    """The hash of the archive stored under a key of :func:`basemap_key`."""
    return key.removeprefix(BASEMAP_PREFIX).removesuffix(_BASEMAP_EXTENSION)


def bundle_sha256(key: str) -> str:
    """The hash of the bundle stored under a key of :func:`bundle_key`."""
    return key.removeprefix(BUNDLE_PREFIX).removesuffix(_BUNDLE_EXTENSION)


def photo_key(sha256: str) -> str:
    """Blob key of a story's photo (kept for editors, never put in bundles)."""
    return f"{PHOTO_PREFIX}{sha256}"


def consent_form_key(sha256: str) -> str:
    """Blob key of a signed consent form (never served to visitors)."""
    return f"{CONSENT_FORM_PREFIX}{sha256}"


def upload_folder(upload_id: str) -> str:
    """The folder holding every piece of one resumable upload (a prefix, ending in ``/``)."""
    return f"{UPLOAD_PREFIX}{upload_id}/"


def upload_piece_key(upload_id: str, offset: int, nonce: str) -> str:
    """Key of one received chunk of an upload: its start offset and a name of its own, so
    that two requests sending the same chunk never write over each other's bytes."""
    return f"{upload_folder(upload_id)}{offset:016d}-{nonce}"


def render_key(render_id: str, extension: str) -> str:
    """Blob key of a rendered simulated walk (``extension`` with its dot)."""
    return f"{RENDER_PREFIX}{render_id}{extension}"


def render_id_of(key: str) -> str:
    """The render id a key of :func:`render_key` names."""
    return PurePosixPath(key.removeprefix(RENDER_PREFIX)).stem
