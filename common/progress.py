"""Progress of long work (ingest, eval, repair): a bar on a terminal, else a line every few seconds with counts,
rate and time left, so a log or a CI job never sits silent for minutes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from common.eta import TimeLeft, duration

EVERY_SECONDS = 10.0  # at most one progress line this often when the output is not a terminal


class Lines:
    """tqdm's update/set_postfix_str/close, written as plain lines: one when created, then at most one every
    `every` seconds, and a last one when closed. The time left is `time_left`'s (its caller adds the work done),
    else one counted in items."""

    def __init__(self, total: int, unit: str, label: str, stream: TextIO, every: float = EVERY_SECONDS,
                 clock: Callable[[], float] = time.monotonic, time_left: TimeLeft | None = None):
        self.total, self.unit, self.label, self.stream, self.every, self.clock = total, unit, label, stream, every, clock
        self.own_time_left = time_left is None
        self.time_left = time_left or TimeLeft(total, clock)
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
        if self.own_time_left:
            self.time_left.add(n)
        now = self.clock()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            self._print(self._status(now))

    def set_postfix_str(self, text: str, refresh: bool = False) -> None:  # noqa: ARG002 - tqdm's signature
        self.postfix = text

    def _status(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        seconds = self.time_left.seconds()
        left = f", about {duration(seconds)} left" if seconds is not None else ", time left: estimating"
        extra = f", {self.postfix}" if self.postfix else ""
        return (f"{self.label}: {self.done}/{self.total} {self._units(self.total)} ({100 * self.done / self.total:.0f}%), "
                f"{self._rate(rate)}{extra}{left}")

    def _rate(self, per_second: float) -> str:
        return f"{per_second:.1f} {self.unit}s/s" if per_second >= 1 else f"{per_second * 60:.1f} {self.unit}s/min"

    def close(self) -> None:
        elapsed = self.clock() - self.started
        rate = f" ({self._rate(self.done / elapsed)})" if elapsed > 0 and self.done else ""
        self._print(f"{self.label}: finished {self.done}/{self.total} {self._units(self.total)} in "
                    f"{duration(elapsed)}{rate}")


class Bar:
    """A tqdm bar whose time left is a TimeLeft's, not tqdm's (which counts items from the start, start-up and all)."""

    def __init__(self, total: int, unit: str, label: str, stream: TextIO, time_left: TimeLeft | None = None):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit=unit, desc=label, file=stream, dynamic_ncols=True,
                        bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}, {rate_fmt}{postfix}]")
        self.own_time_left = time_left is None
        self.time_left = time_left or TimeLeft(total)
        self.postfix = ""

    def update(self, n: int = 1) -> None:
        if self.own_time_left:
            self.time_left.add(n)
        seconds = self.time_left.seconds()
        left = f"about {duration(seconds)} left" if seconds is not None else "time left: estimating"
        self.bar.set_postfix_str(", ".join(x for x in (self.postfix, left) if x), refresh=False)
        self.bar.update(n)

    def set_postfix_str(self, text: str, refresh: bool = False) -> None:  # noqa: ARG002 - tqdm's signature
        self.postfix = text

    def close(self) -> None:
        self.bar.close()


def progress(total: int, unit: str, label: str, enabled: bool = True, stream: TextIO | None = None,
             time_left: TimeLeft | None = None):
    """A tqdm Bar when `stream` (default stderr) is a terminal, else progress Lines; None when disabled. With
    `time_left`, its caller adds the work done and both show its estimate."""
    if not enabled:
        return None
    stream = stream or sys.stderr
    if stream.isatty():
        return Bar(total, unit, label, stream, time_left)
    return Lines(total, unit, label, stream, time_left=time_left)
