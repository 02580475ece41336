"""The reference trigger engine of ``docs/trigger-semantics.md``."""

from trails.triggers.engine import TriggerEngine, run_track
from trails.triggers.model import EngineLayer, EngineStop, EngineTrail, Event, Fix

__all__ = ["EngineLayer", "EngineStop", "EngineTrail", "Event", "Fix", "TriggerEngine", "run_track"]
