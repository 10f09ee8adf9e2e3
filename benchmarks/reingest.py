"""Re-ingest of unchanged articles: the whole `assistant ingest` command in a fresh process (best of N) and the heavy
packages it imports; with two --tree, the code before and after, interleaved in one run.

Run: .venv/bin/python benchmarks/reingest.py --index /tmp/mh-copy ARTICLES... [--runs 3] [--tree OLD --tree .]
     [--env ASSISTANT_ANALYSIS=false]   (the settings the index was built with)
The index must already hold ARTICLES (ingested by the same command): every article must come back unchanged. Use a
copy of an index you care about (a re-ingest that does find work writes to it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_average, print_table  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("chromadb", "onnxruntime", "tokenizers", "spacy", "torch", "bs4")


def command(index: Path, articles: list[str]) -> list[str]:
    return [sys.executable, "-m", "assistant", "ingest", *articles, "--index", str(index), "--no-progress", "--json"]


SETTINGS: dict[str, str] = {}  # --env KEY=VALUE: the settings the index was built with (ASSISTANT_ANALYSIS=false)


def env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}, **SETTINGS}


def timed(index: Path, articles: list[str], tree: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, articles reported unchanged) of one re-ingest run in source tree `tree`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command(index, articles), capture_output=True, text=True, env=env(), cwd=tree, timeout=900)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"assistant ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if report["added"] or report["updated"] or report["recovered"] or report["analysed"]:
        sys.exit(f"the re-ingest found work (not an index holding these articles unchanged): {done.stdout[:2000]}")
    return seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, len(report["unchanged"])


def imported(index: Path, articles: list[str], tree: Path) -> list[str]:
    """Which of HEAVY one re-ingest in `tree` imports (python -X importtime)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *command(index, articles)[1:]], capture_output=True,
                          text=True, env=env(), cwd=tree, timeout=900)
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return [m for m in HEAVY if m in names]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("articles", nargs="+", help="the files or folders the index was built from")
    ap.add_argument("--index", required=True, type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tree", action="append", type=Path, help="source tree to run (repeatable; default this one)")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the command (repeatable)")
    args = ap.parse_args()
    SETTINGS.update(kv.split("=", 1) for kv in args.env)
    trees = [t.resolve() for t in args.tree or [REPO]]
    articles = [str(Path(a).resolve()) for a in args.articles]
    got: dict[Path, list[tuple[float, float, int]]] = {t: [] for t in trees}
    loads = []
    for _ in range(args.runs):
        for tree in trees:
            got[tree].append(timed(args.index, articles, tree))
            loads.append(load_average())
    rows = []
    for tree in trees:
        runs = got[tree]
        best = min(runs)
        rows.append((str(tree), runs[0][2], " ".join(f"{s:.2f}" for s, _, _ in runs), f"{best[0]:.2f}",
                     f"{best[1]:.2f}", ", ".join(imported(args.index, articles, tree)) or "none"))
    print_table(rows, ("tree", "unchanged", "wall s (each run)", "best wall s", "its CPU s", "heavy imports"))
    print(f"load 1/5/15m during the runs: {loads[0]} … {loads[-1]}")


if __name__ == "__main__":
    main()
