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
