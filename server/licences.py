"""The licences a resident may choose for a story, and how a resident is credited.

Defined here only: invitations offer a subset of these ids, the pages show their names,
consent records keep the id, and bundles credit the story by :func:`credit_shown`.
"""

from __future__ import annotations

from typing import Literal, get_args

# Identifier -> English name (the pages translate by identifier).
LICENCES: dict[str, str] = {
    "cc-by-4.0": "Creative Commons Attribution 4.0",
    "cc-by-sa-4.0": "Creative Commons Attribution-ShareAlike 4.0",
    "cc-by-nc-4.0": "Creative Commons Attribution-NonCommercial 4.0",
    "archive-only": "kept and used by the organisation only",
}
# The one licence that keeps a story out of every trail.
ARCHIVE_ONLY = "archive-only"


CreditStyle = Literal["full-name", "first-name", "initials", "anonymous"]
CREDIT_STYLES: tuple[str, ...] = get_args(CreditStyle)


def credit_shown(name: str | None, style: str | None) -> str | None:
    """What visitors read for a resident: the full name, the first name, "M. D.", or nothing."""
    words = (name or "").split()
    if not words or style == "anonymous" or style not in CREDIT_STYLES:
        return None
    if style == "first-name":
        return words[0]
    if style == "initials":
        return " ".join(f"{w[0].upper()}." for w in words)
    return " ".join(words)
