"""QR codes for a trail's link, as SVG and PNG (segno)."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import segno

from trails.errors import invalid
from trails.messages import msg

# Long links make dense codes that a phone struggles to read from a printed poster.
MAX_URL_LENGTH = 512
# Modules of white around the code: the four the QR specification asks for.
QUIET_ZONE = 4
MAX_PNG_SCALE = 40


def check_url(url: str, field: str = "url") -> str:
    """Return ``url`` if it is an absolute http(s) link short enough to print as a QR code."""
    if not isinstance(url, str) or not url:
        raise invalid(field, url, msg("a link is needed, such as https://example.org/t/my-walk"))
    if len(url) > MAX_URL_LENGTH:
        raise invalid(
            field,
            url[:80] + "…",
            msg(
                "the link is {count} characters; at most {max}",
                count=len(url),
                max=MAX_URL_LENGTH,
            ),
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise invalid(field, url, msg("the link must not contain spaces or control characters"))
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise invalid(field, url, msg("not a valid link: {exc}", exc=exc)) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise invalid(
            field, url, msg("the link must start with http:// or https:// and name a host")
        )
    return url


def make_qr(url: str) -> segno.QRCode:
    """Encode a checked link at error level Q or better, for posters that get dirty outdoors."""
    # boost_error raises the level to H whenever that fits in the same symbol size.
    return segno.make(check_url(url), error="q", boost_error=True, micro=False)


def qr_svg(url: str) -> bytes:
    """The QR code of ``url`` as a scalable SVG document (viewBox, white quiet zone)."""
    buffer = io.BytesIO()
    make_qr(url).save(
        buffer,
        kind="svg",
        scale=1,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        omitsize=True,
        title=url,
        encoding="utf-8",
    )
    return buffer.getvalue()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    """The QR code of ``url`` as a PNG, ``scale`` pixels per module, with its quiet zone."""
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= MAX_PNG_SCALE:
        raise invalid(
            "scale",
            scale,
            msg(
                "the scale is a whole number of pixels from 1 to {max}",
                max=MAX_PNG_SCALE,
            ),
        )
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    return buffer.getvalue()
