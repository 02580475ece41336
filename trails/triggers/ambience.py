"""Gain of sound beds: distance law for ambient layers and ducking under narration."""

from __future__ import annotations

import math

from trails.triggers.model import EngineLayer


def distance_gain_db(layer: EngineLayer, outside_mm: int) -> float:
    """Gain at a distance from the layer's zone: max gain up to min distance, linear in dB to
    min gain at max distance, min gain beyond (until the layer stops)."""
    d = outside_mm / 1000
    if d <= layer.min_distance_m:
        return layer.max_gain_db
    if d >= layer.max_distance_m:
        return layer.min_gain_db
    share = (d - layer.min_distance_m) / (layer.max_distance_m - layer.min_distance_m)
    return layer.max_gain_db + share * (layer.min_gain_db - layer.max_gain_db)


def round_db(value: float) -> float:
    """Round to 0.1 dB, halves away from zero, so every implementation agrees."""
    scaled = abs(value) * 10
    rounded = math.floor(scaled + 0.5) / 10
    result = math.copysign(rounded, value)
    return 0.0 if result == 0 else result
