"""The narration queue: one narration at a time, the rest waiting in a fixed order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cue:
    """A narration waiting or playing: its stop index, priority and trigger time."""

    index: int
    priority: int
    trigger_ms: int

    def order(self) -> tuple[int, int, int]:
        """Queue order: higher priority first, then earlier trigger, then trail order."""
        return (-self.priority, self.trigger_ms, self.index)


class NarrationQueue:
    """Waiting narrations, kept sorted by :meth:`Cue.order`."""

    def __init__(self) -> None:
        self._cues: list[Cue] = []

    def __len__(self) -> int:
        return len(self._cues)

    def __contains__(self, index: object) -> bool:
        return any(c.index == index for c in self._cues)

    def push(self, cue: Cue) -> None:
        """Insert a cue at its place in the order."""
        self._cues.append(cue)
        self._cues.sort(key=Cue.order)

    def pop(self) -> Cue:
        """Take the first cue."""
        return self._cues.pop(0)

    def remove(self, index: int) -> bool:
        """Drop the cue of a stop, returning whether it was waiting."""
        before = len(self._cues)
        self._cues = [c for c in self._cues if c.index != index]
        return len(self._cues) != before

    def drain(self) -> list[Cue]:
        """Remove and return every waiting cue, in order."""
        cues, self._cues = self._cues, []
        return cues
