"""Progress of long work (ingest, eval, repair): a bar on a terminal, else a line every few seconds with counts,
rate and time left, so a log or a CI job never sits silent for minutes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

EVERY_SECONDS = 10.0  # at most one progress line this often when the output is not a terminal


class Lines:
    """tqdm's update/set_postfix_str/close, written as plain lines: one when created, then at most one every
    `every` seconds, and a last one when closed."""

    def __init__(self, total: int, unit: str, label: str, stream: TextIO, every: float = EVERY_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.total, self.unit, self.label, self.stream, self.every, self.clock = total, unit, label, stream, every, clock
        self.done = 0
        self.postfix = ""
        self.started = self.last = clock()
        self._print(f"{label}: {total} {self._units(total)} to do")

    def _units(self, n: int) -> str:
        return self.unit if n == 1 else f"{self.unit}s"

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            self._print(self._status(now))

    def set_postfix_str(self, text: str, refresh: bool = False) -> None:  # noqa: ARG002 - tqdm's signature
        self.postfix = text

    def _status(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = f", about {_duration((self.total - self.done) / rate)} left" if rate > 0 else ""
        extra = f", {self.postfix}" if self.postfix else ""
        return (f"{self.label}: {self.done}/{self.total} {self._units(self.total)} ({100 * self.done / self.total:.0f}%), "
                f"{self._rate(rate)}{extra}{left}")

    def _rate(self, per_second: float) -> str:
        return f"{per_second:.1f} {self.unit}s/s" if per_second >= 1 else f"{per_second * 60:.1f} {self.unit}s/min"

    def close(self) -> None:
        elapsed = self.clock() - self.started
        rate = f" ({self._rate(self.done / elapsed)})" if elapsed > 0 and self.done else ""
        self._print(f"{self.label}: finished {self.done}/{self.total} {self._units(self.total)} in "
                    f"{_duration(elapsed)}{rate}")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def progress(total: int, unit: str, label: str, enabled: bool = True, stream: TextIO | None = None):
    """A tqdm bar when `stream` (default stderr) is a terminal, else progress Lines; None when disabled."""
    if not enabled:
        return None
    stream = stream or sys.stderr
    if stream.isatty():
        from tqdm import tqdm

        return tqdm(total=total, unit=unit, desc=label, file=stream, dynamic_ncols=True)
    return Lines(total, unit, label, stream)
