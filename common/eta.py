"""Time left in long work, from the rate since its first step finished (start-up left out), counted in work units."""

from __future__ import annotations

import time
from collections.abc import Callable

BURST_SECONDS = 1.0  # steps that finish this soon after the first are part of it (a group's articles stored at once)


class TimeLeft:
    """`add(work)` as each step finishes; `seconds()` is the work still to do over the rate since the first step.

    The first step of an ingest carries the start-up (the model, spaCy and its worker processes loading, the first
    embedding call) and is left out of the rate: counted from the start, 60 articles whose first group came after
    40 s of loading were promised many minutes for a minute's work. Work is counted in the caller's unit (an ingest
    counts characters: one long article is not one short one). None until a second step has finished."""

    def __init__(self, total: float, clock: Callable[[], float] = time.monotonic):
        self.total, self.clock = float(total), clock
        self.done = 0.0
        self.base: tuple[float, float] | None = None  # (time, work done) once the first step (and its burst) ended
        self._first_at: float | None = None

    def add(self, work: float) -> None:
        now = self.clock()
        self.done += work
        if self._first_at is None:
            self._first_at = now
        if now - self._first_at <= BURST_SECONDS:  # still the first step
            self.base = (now, self.done)

    def seconds(self) -> float | None:
        if self.base is None:
            return None
        since, at_base = self.base
        elapsed, work = self.clock() - since, self.done - at_base
        if work <= 0 or elapsed <= 0:
            return None
        return max(self.total - self.done, 0.0) * elapsed / work


def duration(seconds: float) -> str:
    """'2 min 07 s', '40 s'."""
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
