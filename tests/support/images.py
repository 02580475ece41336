"""Real images for tests, carrying the metadata phones write (and that must never be kept)."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, PngImagePlugin

ARTIST = "Marie Photographe"
COMMENT = "prise rue du Laminoir"
# Charleroi, as EXIF GPS rationals.
GPS = {1: "N", 2: (50.0, 24.0, 15.0), 3: "E", 4: (4.0, 23.0, 40.0)}
SECRETS = [ARTIST.encode(), COMMENT.encode(), b"PhoneMaker", b"GPS"]


def portrait(
    fmt: str = "JPEG", *, seed: str = "portrait", size: tuple[int, int] = (96, 64)
) -> bytes:
    """A photo (JPEG, PNG or WEBP) whose pixels depend on ``seed``, with EXIF GPS and artist.

    JPEGs also carry a comment, PNGs a text chunk, WebPs XMP.
    """
    colour = tuple(hashlib.sha256(seed.encode()).digest()[:3])
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 7):
        image.putpixel((x, x % size[1]), (255 - colour[0], 0, colour[2]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = ARTIST  # Artist
    exif.get_ifd(0x8825).update(GPS)
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, format="JPEG", exif=exif.tobytes(), comment=COMMENT.encode())
    elif fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", ARTIST)
        text.add_text("Comment", COMMENT)
        image.save(out, format="PNG", exif=exif.tobytes(), pnginfo=text)
    else:
        xmp = f"<x:xmpmeta><dc:creator>{ARTIST}</dc:creator></x:xmpmeta>".encode()
        image.save(out, format="WEBP", exif=exif.tobytes(), xmp=xmp, lossless=True)
    return out.getvalue()


def has_metadata(data: bytes) -> bool:
    """Whether an image still carries EXIF, XMP, text chunks or comments (or their words)."""
    image = Image.open(io.BytesIO(data))
    image.load()
    kept = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "Author", "Comment"}
    return bool(kept & set(image.info)) or any(secret in data for secret in SECRETS)


def pixels(data: bytes) -> bytes:
    """An image's RGB pixels, to compare two encodings of the same picture."""
    image = Image.open(io.BytesIO(data))
    return image.convert("RGB").tobytes()
