"""From the engine's events to voices: each sound's time span, gain and direction over time.

The ramps are the player's (``web/player/src/audio.js``): a new gain is reached linearly
(in amplitude) over ``RAMP_S``, a bed or object fades out over ``FADE_S`` after its end,
and a narration starts and stops at once. Spec section 17 asks players to ramp a panner's
position like its gain, so a new azimuth is reached over ``RAMP_S`` as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from trails.triggers.model import Event

# The player's constants (web/player/src/audio.js), stated once on the Python side.
RAMP_S = 1.0
FADE_S = 2.0


@dataclass
class Curve:
    """A piecewise-linear value over time, built as Web Audio's ``linearRampToValueAtTime``
    after ``cancelScheduledValues`` builds it: each new target starts from the current value."""

    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def at(self, t: float) -> float:
        """The value at ``t`` (the first value before the first point)."""
        return float(np.interp(t, self.times, self.values))

    def ramp(self, t: float, target: float, over: float) -> None:
        """From ``t``, go linearly from the current value to ``target`` in ``over`` seconds."""
        if not self.times:
            self.times, self.values = [t], [target]
            return
        now = self.at(t)
        keep = [i for i, x in enumerate(self.times) if x < t]
        self.times = [self.times[i] for i in keep] + [t, t + over]
        self.values = [self.values[i] for i in keep] + [now, target]

    def sample(self, t: np.ndarray) -> np.ndarray:
        """The values at many times."""
        return np.interp(t, self.times, self.values)


@dataclass
class Voice:
    """One playing of one sound: from ``start`` to ``stop`` (seconds from the walk's start)."""

    key: str
    kind: str  # "narration", "loop", "ambience" or "object"
    start: float
    stop: float
    loop: bool
    gain: Curve  # linear amplitude
    azimuth: Curve  # unwrapped degrees; empty while the sound has no direction
    directed: bool = False


def db_to_gain(db: float) -> float:
    """dB to a linear amplitude factor."""
    return float(10 ** (db / 20))


def voices(
    events: list[Event], kinds: dict[str, str], once: set[str], origin: float, end: float
) -> list[Voice]:
    """The voices of a walk; ``kinds`` names each key's kind, ``once`` the objects that do
    not loop, times are relative to ``origin``, and a sound still playing at ``end`` stops
    there."""
    playing: dict[str, Voice] = {}
    done: list[Voice] = []
    for e in events:
        t = e.t - origin
        kind = kinds.get(e.stop)
        if kind is None or kind == "silent":
            continue
        if e.type == "play":
            first = 1.0 if kind in ("narration", "loop") else 0.0
            gain = Curve([t], [first])
            loop = kind != "narration" and e.stop not in once
            playing[e.stop] = Voice(e.stop, kind, t, end, loop, gain, Curve())
        voice = playing.get(e.stop)
        if voice is None:
            continue
        if e.type == "gain" and e.db is not None:
            _retarget(voice.gain, t, db_to_gain(e.db), voice.start)
        elif e.type == "spatial":
            if e.db is not None and voice.kind != "narration":
                _retarget(voice.gain, t, db_to_gain(e.db), voice.start)
            if e.azimuth is not None:
                _turn(voice, t, float(e.azimuth))
        elif e.type == "end":
            del playing[e.stop]
            if voice.kind == "narration":
                voice.stop = t
            else:
                voice.gain.ramp(t, 0.0, FADE_S)
                voice.stop = t + FADE_S
            done.append(voice)
    done.extend(playing.values())
    return sorted(done, key=lambda v: (v.start, v.key))


def _retarget(curve: Curve, t: float, target: float, start: float) -> None:
    # The first value a sound gets at its play is where it starts, not a ramp from silence.
    if t <= start and len(curve.times) == 1:
        curve.values = [target]
    else:
        curve.ramp(t, target, RAMP_S)


def _turn(voice: Voice, t: float, azimuth: float) -> None:
    curve = voice.azimuth
    if not curve.times:
        curve.times, curve.values = [t], [azimuth]
    else:
        # Turn the short way round: 170 to -170 is 20 degrees, not 340.
        now = curve.at(t)
        step = (azimuth - now + 180.0) % 360.0 - 180.0
        curve.ramp(t, now + step, RAMP_S)
    voice.directed = True
