"""Trail covers: check an uploaded image, re-encode it without metadata, store it by hash.

A cover is published to every visitor, so nothing of the original file survives but its
pixels: EXIF (with GPS positions), XMP, ICC profiles and comments are all dropped, and the
image is re-encoded as a JPEG no larger than :data:`MAX_SIDE` pixels.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from media.blobs import BlobStore
from media.errors import RejectedMedia
from trails.messages import msg
from trails.storage_names import COVER_EXTENSION, cover_key, cover_path

MAX_BYTES = 15 * 1024 * 1024
"""Largest cover upload accepted."""

MAX_SIDE = 1600
"""Longest side of a stored cover, in pixels."""

MAX_PIXELS = 60_000_000
"""Refuse images whose header claims more pixels (decompression bombs)."""

EXTENSION = COVER_EXTENSION
MIME_TYPE = "image/jpeg"
_QUALITY = 85
_FORMATS = {"JPEG", "PNG", "WEBP"}


def cover_url(sha256: str) -> str:
    """The public address of a published cover."""
    return f"/v1/{cover_path(sha256)}"


def _reject(detail: str) -> RejectedMedia:
    return RejectedMedia(detail, reason="not_audio")  # the reason maps to 415


def _is_clean(image: Image.Image, data: bytes, max_side: int | None) -> bool:
    """A JPEG already as we would store it: small enough, no metadata segment at all."""
    if image.format != "JPEG" or image.mode not in ("RGB", "L"):
        return False
    if max_side is not None and max(image.size) > max_side:
        return False
    extra = {"exif", "icc_profile", "xmp", "comment", "photoshop", "adobe"} & set(image.info)
    app = [marker for marker, _ in getattr(image, "applist", []) if marker != "APP0"]
    return not extra and not app and b"Exif" not in data[:4096]


def _decoded(data: bytes, what: str) -> Image.Image:
    """The image these bytes hold, fully decoded; 415 if not a JPEG, PNG or WebP image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _FORMATS:
                raise _reject(f"{what} must be a JPEG, PNG or WebP image")
            if image.width * image.height > MAX_PIXELS:
                raise _reject(f"this image has too many pixels for {what}")
            image.load()
    except RejectedMedia:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
        # Pillow's own words name its stream object ("<_io.BytesIO object at 0x...>").
        raise _reject(f"{what} must be a JPEG, PNG or WebP image; this one does not open") from None
    return image


def _flattened(image: Image.Image) -> Image.Image:
    """The image on white, in RGB (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def clean_image(
    data: bytes, *, what: str, as_jpeg: bool, max_side: int | None = None
) -> tuple[bytes, str]:
    """An image's pixels without any of its metadata, and their media type (415 if no image).

    The one place images are stripped: covers (published), story photos and scanned consent
    forms (private) alike lose their EXIF (GPS position, camera, artist), XMP, ICC profile,
    text chunks and comments. ``as_jpeg`` re-encodes as JPEG (covers); otherwise the image
    keeps its format (a scanned form stays a lossless PNG). ``max_side`` shrinks it. A JPEG
    that is already clean (and small enough) is kept byte for byte, so that storing it
    again gives the same hash (re-encoding a JPEG is not stable).
    """
    image = _decoded(data, what)
    target = "JPEG" if as_jpeg else str(image.format)
    if target == "JPEG" and _is_clean(image, data, max_side):
        return data, MIME_TYPE
    # Turn the pixels upright before the orientation tag is dropped with the rest.
    upright = ImageOps.exif_transpose(image)
    if max_side is not None:
        upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if target == "JPEG":
        upright = _flattened(upright)
    # Pillow writes some metadata it finds here (a JPEG comment, an ICC profile) back out.
    transparency = upright.info.get("transparency") if target == "PNG" else None
    upright.info = {} if transparency is None else {"transparency": transparency}
    out = io.BytesIO()
    if target == "JPEG":
        upright.save(out, format="JPEG", quality=_QUALITY, optimize=True, progressive=True)
    elif target == "PNG":
        upright.save(out, format="PNG", optimize=True)
    else:
        # A lossless WebP (a screenshot, a scan) stays lossless.
        lossless = b"VP8L" in data[:4096]
        upright.save(out, format="WEBP", quality=_QUALITY, lossless=lossless)
    return out.getvalue(), f"image/{target.lower()}"


def normalise(data: bytes) -> bytes:
    """The cover to store for these bytes: a metadata-free JPEG, or 415 if not an image."""
    return clean_image(data, what="a cover", as_jpeg=True, max_side=MAX_SIDE)[0]


def store(blobs: BlobStore, data: bytes) -> str:
    """Normalise and keep a cover under its hash (idempotent); return the hash."""
    cleaned = normalise(data)
    sha256 = hashlib.sha256(cleaned).hexdigest()
    if not blobs.exists(cover_key(sha256)):
        blobs.put(cover_key(sha256), [cleaned], content_type=MIME_TYPE)
    return sha256


def store_file(blobs: BlobStore, path: Path) -> str:
    """Store the cover image at ``path`` (a source folder's file); return its hash."""
    if path.stat().st_size > MAX_BYTES:
        raise RejectedMedia(
            msg("a cover must be at most {value} MiB", value=MAX_BYTES // 1024 // 1024),
            reason="too_large",
        )
    return store(blobs, path.read_bytes())


def read(blobs: BlobStore, sha256: str) -> bytes:
    """The stored cover's bytes."""
    return b"".join(blobs.open(cover_key(sha256)))
