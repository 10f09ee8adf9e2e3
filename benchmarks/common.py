"""Helpers for benchmark scripts: the shared data location, peak memory, and table printing."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    path = Path(os.environ.get("ASSISTANT_SHARED_DIR") or REPO.parent / "shared")
    if not (path / "data").is_dir():
        sys.exit(f"../shared data not present at {path}: set ASSISTANT_SHARED_DIR to run this benchmark")
    return path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(rows: list[tuple], headers: tuple) -> None:
    cells = [tuple(str(c) for c in r) for r in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, r in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def load_average() -> str:
    """The 1/5/15-minute load averages, to print next to timings (this machine's cores are shared)."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def proc_memory_mb(pid: int) -> dict[str, float]:
    """VmHWM (peak resident set), VmRSS, and its parts RssAnon (heap: the process's own) and RssFile (mapped files,
    e.g. the lexical index: shared with the page cache, given back under memory pressure), in MB, from
    /proc/PID/status."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) / 1024
    return out
