"""The shared words (trails/vocabulary.py) and the tables keyed by them agree."""

from __future__ import annotations

from pathlib import Path

from media.renditions import ENCODINGS
from server.db.models import Asset, Trail
from trails.bundle.schema import manifest_schema
from trails.triggers.model import EngineStop
from trails.vocabulary import (
    AUDIO_PROFILES,
    AUDIO_ROLES,
    STOP_KINDS,
    TRAIL_MODES,
    VISIBILITIES,
    AudioRole,
    TrailMode,
    Visibility,
)


def test_the_enumerations_hold_the_words() -> None:
    assert tuple(AudioRole) == AUDIO_ROLES == ("voice", "immersive")
    assert tuple(TrailMode) == TRAIL_MODES == ("free", "sequential")
    assert tuple(Visibility) == VISIBILITIES == ("public", "unlisted", "private")
    assert AUDIO_PROFILES == ("opus", "aac")


def test_every_profile_has_an_encoding_for_every_role() -> None:
    assert tuple(ENCODINGS) == AUDIO_PROFILES
    for name, encoding in ENCODINGS.items():
        assert encoding.name == name
        assert set(encoding.kbps) == set(AUDIO_ROLES)


def test_database_columns_take_the_same_words() -> None:
    assert Asset.__table__.c.role.type.enums == list(AUDIO_ROLES)  # type: ignore[attr-defined]
    assert Trail.__table__.c.mode.type.enums == list(TRAIL_MODES)  # type: ignore[attr-defined]
    assert Trail.__table__.c.visibility.type.enums == list(VISIBILITIES)  # type: ignore[attr-defined]


def test_the_manifest_schema_takes_the_same_words() -> None:
    schema = manifest_schema()
    assert schema["properties"]["profile"]["enum"] == list(AUDIO_PROFILES)
    assert schema["$defs"]["trail"]["properties"]["mode"]["enum"] == list(TRAIL_MODES)


def test_stop_kinds_are_the_words_of_the_trigger_semantics() -> None:
    assert STOP_KINDS == ("narration", "loop", "silent")
    zone = {"type": "circle", "center": [4.4, 50.41], "radius_m": 20}
    kinds = {
        EngineStop(key="a", zone=zone, duration_s=5).kind,
        EngineStop(key="a", zone=zone, duration_s=5, rules={"replay": "always"}).kind,
        EngineStop(key="a", zone=zone, duration_s=5, rules={"replay": "loop"}).kind,
        EngineStop(key="a", zone=zone, rules={"replay": "loop"}).kind,
    }
    assert kinds == set(STOP_KINDS)
    docs = Path(__file__).resolve().parents[1] / "docs"
    semantics = (docs / "trigger-semantics.md").read_text()
    for word in STOP_KINDS:
        assert f"*{word}* when" in semantics, word  # each word defined there, once
    # "narration" keeps that one meaning: the bundle format says "voice" for the audio role.
    assert "Narration (`role: voice`)" not in (docs / "bundle-format.md").read_text()
