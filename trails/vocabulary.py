"""The shared words of Baladeur, each defined once: audio roles and profiles, how stops
play, trail modes, visibility, and the loudness target.

Each set of words is a ``Literal`` (for pydantic models and type checking); its tuple and,
where the database or the API needs one, its enumeration are derived from it here, so that
nothing else spells the set out. Migrations keep their own literal copies: they are history.
"""

from __future__ import annotations

import enum
from typing import Final, Literal, get_args

AudioRoleName = Literal["voice", "immersive"]
"""How an audio file is meant: speech (encoded mono) or an immersive scene (stereo)."""
AUDIO_ROLES: Final[tuple[AudioRoleName, ...]] = get_args(AudioRoleName)


class AudioRole(enum.StrEnum):
    """How an audio asset is encoded: mono speech or immersive stereo."""

    # Unpacked, so that a word added above without its member here fails at import.
    voice, immersive = AUDIO_ROLES


StopKindName = Literal["narration", "loop", "silent"]
"""How a stop plays (trigger semantics, section 1): a *narration* (audio, replay once or
always: queued, one at a time), a *loop* (audio, replay loop: a sound bed while inside), or
*silent* (no audio). Not the audio role: a narration may be voice or immersive audio."""
STOP_KINDS: Final[tuple[StopKindName, ...]] = get_args(StopKindName)


AudioProfile = Literal["opus", "aac"]
"""The audio profiles a trail is published in, the preferred one first."""
AUDIO_PROFILES: Final[tuple[AudioProfile, ...]] = get_args(AudioProfile)
DEFAULT_PROFILE: Final[AudioProfile] = AUDIO_PROFILES[0]

TrailModeName = Literal["free", "sequential"]
"""Whether a trail's stops play in any order or one after the other."""
TRAIL_MODES: Final[tuple[TrailModeName, ...]] = get_args(TrailModeName)


class TrailMode(enum.StrEnum):
    """Free roaming or sequential stops."""

    free, sequential = TRAIL_MODES


VisibilityName = Literal["public", "unlisted", "private"]
"""Who finds a published trail: everyone (listed), whoever has its link, or its code."""
VISIBILITIES: Final[tuple[VisibilityName, ...]] = get_args(VisibilityName)


class Visibility(enum.StrEnum):
    """Who can find and download a published trail."""

    public, unlisted, private = VISIBILITIES


DEFAULT_TARGET_LUFS: Final = -16.0
"""Integrated loudness (LUFS) that renditions are encoded to unless a trail says otherwise."""
