"""Trail source text small enough to write inline: one stop, in French."""

from __future__ import annotations

SMALL_TRAIL = """slug: petit
languages: [fr]
title: {fr: Petit}
stops:
  - key: un
    title: {fr: Un}
    zone: {type: circle, center: [4.39, 50.40], radius_m: 25}
"""

# The same trail whose stop tells a story: media/un.opus with its transcript media/un.vtt.
SMALL_TRAIL_WITH_STORY = (
    SMALL_TRAIL
    + """    story:
      versions:
        fr: {audio: media/un.opus, transcript: media/un.vtt}
"""
)
