"""The fixed words printed on a poster, in the poster's language (from the catalogues)."""

from __future__ import annotations

from dataclasses import dataclass

from trails.i18n import render
from trails.messages import msg


@dataclass(frozen=True)
class Labels:
    """Fixed poster wording in one language."""

    kicker: str
    scan: str
    free: str
    headphones: str
    route: str


def poster_labels(language: str) -> Labels:
    """The poster's fixed words in ``language``."""
    return Labels(
        kicker=render(msg("Audio walk"), language),
        scan=render(msg("Scan to download the walk"), language),
        free=render(msg("Free, works offline"), language),
        headphones=render(msg("Bring your headphones"), language),
        route=render(msg("The route"), language),
    )
