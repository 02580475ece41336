"""The limits of the studio's offline renders, as the settings give them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderLimits:
    """How long a walk may be rendered, how many fixes a request may send, how many kept."""

    max_walk_s: float = 3 * 3600
    max_fixes: int = 4 * 3600
    kept: int = 3
