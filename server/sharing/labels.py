"""The fixed words printed on a poster, per poster language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    """Fixed poster wording in one language."""

    kicker: str
    scan: str
    free: str
    headphones: str
    route: str


LABELS: dict[str, Labels] = {
    "fr": Labels(
        kicker="Balade sonore",
        scan="Scannez pour télécharger la balade",
        free="Gratuit, fonctionne hors ligne",
        headphones="Prenez vos écouteurs",
        route="Le parcours",
    ),
    "en": Labels(
        kicker="Audio walk",
        scan="Scan to download the walk",
        free="Free, works offline",
        headphones="Bring your headphones",
        route="The route",
    ),
}

POSTER_LANGUAGES = tuple(LABELS)
